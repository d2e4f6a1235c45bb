"""The complaints desk (phản ánh, kiến nghị): the queue by time left, intake at the counter or the hotline, the
complaint page with its deadlines, and one page per action.

Every view checks :mod:`motcua.access.policy` on the server (the complaint's unit for reading, the role
matrix for acting) and changes complaints only through :mod:`motcua.feedback.services`; a refused action
is shown as a Vietnamese message and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.access import policy
from motcua.feedback import services
from motcua.feedback.models import Complaint, ComplaintAnswer, ComplaintStatusLog
from motcua.org.models import Unit

from ..processing import risk
from ..shortcuts import run_action
from . import actions, queries
from .forms import IntakeForm, QueueFilterForm

PAGE_SIZE = 25
A = policy.Action


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def complaint_for(request, code: str, queryset=None) -> Complaint:
    """The complaint ``code`` if the user may see it; 404 otherwise (never reveal one elsewhere)."""
    queryset = queryset if queryset is not None else Complaint.objects.select_related("unit", "assignee")
    complaint = queryset.filter(code=code).first()
    if complaint is None or not policy.can(request.user, A.VIEW, complaint=complaint):
        raise Http404("Không tìm thấy phản ánh, kiến nghị.")
    return complaint


# --- Phản ánh, kiến nghị: the queue ---------------------------------------------------------------------------


@login_required
def queue(request):
    """Open complaints in the official's units, the one that turns late first at the top, with warnings."""
    queries.require_position(request.user)
    at = risk.now()
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or queries.View.OPEN
    rows = queries.queue(
        request.user,
        view=view,
        status=data.get("status", ""),
        category=data.get("category", ""),
        text=data.get("q", ""),
        mine=data.get("mine", False),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.attach_countdowns(page.object_list, at)
    context = {
        "form": form,
        "page": page,
        "querystring": _querystring(request),
        "now": at,
        "view": view,
        "warnings": queries.warnings(request.user, at),
        "may_register": bool(policy.units_for(request.user, A.REGISTER_COMPLAINT)),
    }
    return render(request, "workspace/complaints/queue.html", context)


# --- Ghi nhận PAKN ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    """A complaint told at the counter or on the hotline, recorded for its competent unit (awaiting intake)."""
    unit_ids = policy.units_for(request.user, A.REGISTER_COMPLAINT)
    if not unit_ids:
        policy.authorize(request.user, A.REGISTER_COMPLAINT, unit=None)
    units = Unit.objects.filter(pk__in=unit_ids, valid_to__isnull=True).order_by("kind", "code")
    form = IntakeForm(request.POST or None, units=units, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy.authorize(request.user, A.REGISTER_COMPLAINT, unit=data["unit"])
        dossier = data["dossier_code"]
        result = run_action(
            request,
            lambda: services.register_complaint(
                unit=data["unit"],
                category=data["category"],
                title=data["title"],
                content=data["content"],
                submitted_at=risk.now(),
                sender=data["sender_name"],
                sender_phone=data["sender_phone"],
                sender_email=data["sender_email"],
                sender_address=data["sender_address"],
                channel=data["channel"],
                dossier=dossier,
                dossier_code=dossier.code if dossier else "",
                source="web",
                actor=request.user,
            ),
        )
        if result is not None:
            complaint, _created = result
            messages.success(
                request,
                _("Đã ghi nhận phản ánh, kiến nghị %(code)s; hạn trả lời %(due)s.")
                % {"code": complaint.code, "due": timezone.localtime(complaint.due_at).strftime("%H:%M %d/%m/%Y")},
            )
            if complaint.repeats_id:
                messages.warning(
                    request,
                    _(
                        "Người gửi đã phản ánh nội dung này trong 90 ngày qua (%(code)s): "
                        "đã liên kết là phản ánh lặp lại."
                    )
                    % {"code": complaint.repeats.code},
                )
            return redirect("workspace:complaint", complaint.code)
    return render(request, "workspace/complaints/intake.html", {"form": form})


# --- the complaint page -----------------------------------------------------------------------------------------


def _page_queryset():
    return Complaint.objects.select_related("unit", "assignee", "dossier", "repeats", "repeats__unit").prefetch_related(
        Prefetch(
            "status_log", queryset=ComplaintStatusLog.objects.select_related("actor").order_by("occurred_at", "pk")
        ),
        Prefetch(
            "answers",
            queryset=ComplaintAnswer.objects.select_related("drafted_by", "decided_by").order_by("drafted_at", "pk"),
        ),
        "repeated_by",
    )


class TimelineEntry:
    """One status-log row as the timeline shows it."""

    def __init__(self, row: ComplaintStatusLog):
        from motcua.feedback.lifecycle import TRANSITIONS

        self.row = row
        transition = TRANSITIONS.get(row.action)
        self.label = transition.label if transition else row.get_status_display()
        self.detail = " → ".join(x for x in ((row.extra or {}).get("from_unit"), (row.extra or {}).get("to_unit")) if x)


@login_required
def complaint(request, code: str):
    """Phản ánh: who sent what, the four legal deadlines and what happened to each, the drafts, the timeline, and
    the actions this official may take now."""
    at = risk.now()
    item = complaint_for(request, code, _page_queryset())
    deadlines = services.deadlines_of(item) if item.submitted_at else None
    available = actions.available(request.user, item, at)
    context = {
        "complaint": item,
        "now": at,
        "deadlines": deadlines,
        "lines": queries.deadline_lines(item, deadlines, at) if deadlines else [],
        "countdown": queries.attach_countdowns([item], at)[0].countdown,
        "timeline": [TimelineEntry(row) for row in item.status_log.all()],
        "answers": list(item.answers.all()),
        "actions": [(a, a.url(item)) for a in available],
        "repeated_by": list(item.repeated_by.all()),
    }
    return render(request, "workspace/complaints/complaint.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_action(request, code: str, action: str):
    """One action: GET shows its form, POST runs it and goes back to the complaint (or the queue, once transferred
    out of the official's units)."""
    desk_action = actions.ACTIONS.get(action)
    if desk_action is None:
        raise Http404("Không có thao tác này.")
    at = risk.now()
    item = complaint_for(
        request, code, Complaint.objects.select_related("unit", "assignee").prefetch_related("answers")
    )
    desk_action.authorize(request.user, item)  # AccessDenied → 403 page, nothing changed
    refusal = desk_action.refusal(item, at)
    form_kwargs = {"complaint": item, "transition": desk_action.transition, "at": at}
    if request.method == "POST":
        form = desk_action.form_class(request.POST, **form_kwargs)  # the rule refuses it there too
        if form.is_valid():
            message = run_action(request, lambda: desk_action.run(item, form.cleaned_data, request.user, at))
            if message is not None:
                messages.success(request, message)
                fresh = Complaint.objects.get(pk=item.pk)
                if policy.can(request.user, A.VIEW, complaint=fresh):
                    return redirect("workspace:complaint", fresh.code)
                return redirect("workspace:complaints")
    else:
        form = desk_action.form_class(**form_kwargs)
    context = {
        "complaint": item,
        "action": desk_action,
        "form": form,
        "refusal": refusal,
        "action_url": desk_action.url(item),
        "back": reverse("workspace:complaint", args=[item.code]),
    }
    return render(request, "workspace/complaints/action.html", context)
