"""Published complaint answers (/phan-anh-kien-nghi/): the list with a search, and one answer's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.feedback.models import ComplaintStatus

from .. import complaints
from ..forms import ComplaintSearchForm

PAGE_SIZE = 20


@require_GET
def complaint_list(request):
    form = ComplaintSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows = complaints.search(data.get("q", ""), data.get("unit", ""))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "public/complaints.html",
        {
            "form": form,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring": params.urlencode(),
            "searched": bool(request.GET),
        },
    )


@require_GET
def complaint(request, code: str):
    item = (
        complaints.published()
        .filter(code=code)
        .select_related("unit")
        .annotate(
            shown_at=Coalesce(
                "published_at", Max("status_log__occurred_at", filter=Q(status_log__status=ComplaintStatus.PUBLISHED))
            )
        )
        .first()
    )
    if item is None:
        raise Http404
    return render(request, "public/complaint.html", {"c": item, "answer": complaints.answer_of(item)})
