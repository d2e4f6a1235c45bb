"""The leaders' list of "not satisfied" ratings to follow up (/can-bo/theo-doi-danh-gia/), with a close action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.access import policy
from motcua.feedback.models import RatingFollowUp
from motcua.feedback.services import close_follow_up

from ..forms import CloseFollowUpForm

PAGE_SIZE = 25


def _units(user) -> set[int]:
    """The units whose follow-ups ``user`` handles: where they are a leader, and the units below."""
    units = policy.units_for(user, policy.Action.FOLLOW_UP_RATING)
    if not units:
        raise policy.AccessDenied(
            "Chỉ lãnh đạo đơn vị xem và xử lý các đánh giá không hài lòng.",
            f"user {getattr(user, 'pk', None)} may not follow ratings up",
            code="forbidden",
        )
    return units


@login_required
def follow_ups(request):
    units = _units(request.user)
    closed = request.GET.get("trang-thai") == "da-dong"
    state = RatingFollowUp.State.CLOSED if closed else RatingFollowUp.State.OPEN
    rows = (
        RatingFollowUp.objects.filter(unit_id__in=units, state=state)
        .select_related("rating__dossier__procedure", "unit", "closed_by")
        .order_by("-closed_at" if closed else "due_at", "id")
    )
    return render(
        request,
        "public/follow_ups.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "closed": closed,
            "now": timezone.now(),
            "form": CloseFollowUpForm(),
        },
    )


@login_required
@require_POST
def close(request, pk: int):
    task = get_object_or_404(RatingFollowUp, pk=pk)
    if task.unit_id not in _units(request.user):
        policy.authorize(request.user, policy.Action.FOLLOW_UP_RATING, unit=task.unit_id)  # logs and refuses
    form = CloseFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Phải ghi rõ kết quả xử lý trước khi đóng."))
        return redirect("public:follow-ups")
    close_follow_up(task, note=form.cleaned_data["note"], actor=request.user)
    messages.success(request, _("Đã đóng việc theo dõi hồ sơ %(code)s.") % {"code": task.rating.dossier.code})
    return redirect("public:follow-ups")
