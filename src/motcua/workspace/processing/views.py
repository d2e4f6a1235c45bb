"""Specialists' and leaders' screens: the "my day" queue, search, the dossier page, step actions, signatures.

Every view goes through :mod:`motcua.access.policy` on the server (visibility
for reading, the role matrix for acting) and changes dossiers only through
:mod:`motcua.dossiers.services`; a refused action is shown as a Vietnamese
message and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from motcua.access import policy
from motcua.dossiers import lifecycle, rules
from motcua.dossiers import search as dossier_search
from motcua.dossiers.fees import fee_status
from motcua.dossiers.models import (
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Proposal,
)
from motcua.org.models import Role, Unit

from .. import files
from ..oversight.queries import dossier_sync_state
from ..shortcuts import dossier_for, run_action
from . import actions, queries, risk
from .forms import QueueFilterForm, SearchForm

PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request) -> str:
    """The current filters without the page number, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Việc của tôi hôm nay ------------------------------------------------------------------------------


@login_required
def queue(request):
    """The official's day, most at-risk first: working hours left before the dossier's or the step's deadline."""
    user, at = request.user, risk.now()
    base = queries.queue(user)
    procedures = (
        base.order_by("procedure__code").values_list("procedure_id", "procedure__code", "procedure__name").distinct()
    )
    steps = (
        base.exclude(current_step__isnull=True)
        .order_by("current_step__name")
        .values_list("current_step__name", flat=True)
        .distinct()
    )
    form = QueueFilterForm(request.GET or None, procedures=list(procedures), steps=list(steps))
    rows = risk.with_risk(queries.queue(user, statuses=queries.QUEUE_FILTER_STATUSES))
    status = None
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        if data["procedure"]:
            rows = rows.filter(procedure_id=data["procedure"])
        if data["step"]:
            rows = rows.filter(current_step__name=data["step"])
        if data["overdue"]:
            rows = rows.filter(risk_at__lt=at)
    rows = rows.filter(status=status) if status else rows.filter(status__in=queries.QUEUE_STATUSES)
    rows = risk.order_by_risk(queries.row_annotations(rows, user).select_related(*queries.ROW_RELATIONS))
    page = _page(request, rows)
    page.object_list = risk.attach(page.object_list, at)
    signing = queries.signatures(user).count() if Role.LEADER in policy.roles(user) else 0
    context = {
        "form": form,
        "page": page,
        "querystring": _querystring(request),
        "now": at,
        "signing": signing,
        "has_queue": queries.queue_condition(user) is not None,
        "warning_hours": risk.apology_warning_hours(),
        "unassigned": queries.unassigned(user).count() if not request.htmx else 0,
    }
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "workspace/processing/_queue_table.html", context)
    return render(request, "workspace/processing/queue.html", context)


# --- Tra cứu hồ sơ -------------------------------------------------------------------------------------


def _search_units(user):
    """Units offered in the search filter: those the user's positions cover (all of them at the province)."""
    ids = set().union(*(p.units for p in policy.positions(user))) if policy.positions(user) else set()
    return Unit.objects.filter(pk__in=ids).order_by("kind", "code")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@login_required
def search(request):
    """Dossiers the user may see, by code, applicant, ID number, status, procedure, unit and reception dates."""
    user, at = request.user, risk.now()
    form = SearchForm(request.GET or None, units=_search_units(user))
    rows = policy.visible_dossiers(user, Dossier.objects.all())
    if form.is_valid():
        data = form.cleaned_data
        text = data["q"].strip()
        if text:
            rows = rows.filter(dossier_search.text_condition(text))  # without diacritics, any case
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["procedure"].strip():
            term = data["procedure"].strip()
            rows = rows.filter(Q(procedure__code__istartswith=term) | Q(procedure__name__icontains=term))
        if data["unit"]:
            rows = rows.filter(handling_unit=data["unit"])
        # Local days as instants, so the (unit, received_at) index serves the range.
        if data["received_from"]:
            rows = rows.filter(received_at__gte=_day_start(data["received_from"]))
        if data["received_to"]:
            rows = rows.filter(received_at__lt=_day_start(data["received_to"] + timedelta(days=1)))
    # Newest first by primary key: an index every database has, whatever the filters.
    errors = []
    if form.is_bound and not form.is_valid():
        # A bad date (or any bad filter) is said, not silently dropped: no list that pretends to be filtered.
        # An ErrorList yields its messages as text (str() only tells the stubs, which allow ValidationError).
        errors = [
            f"{form[name].label}: {' '.join(map(str, messages_))}"
            if name != "__all__"
            else " ".join(map(str, messages_))
            for name, messages_ in form.errors.items()
        ]
        rows = rows.none()
    rows = risk.with_risk(rows).select_related(*queries.ROW_RELATIONS).order_by("-pk")
    page = _page(request, rows)
    page.object_list = risk.attach(page.object_list, at)
    context = {"form": form, "page": page, "querystring": _querystring(request), "now": at, "errors": errors}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "workspace/processing/_search_table.html", context)
    return render(request, "workspace/processing/search.html", context)


# --- the dossier page --------------------------------------------------------------------------------------


def _page_queryset():
    return Dossier.objects.select_related(
        "procedure",
        "handling_unit",
        "receiving_unit",
        "current_step",
        "current_assignee",
        "case",
        "apology_letter",
        "apology_letter__signed_by",
        "stop_notice",
        "reception",
        "reception__received_by",
        "portal_sync",
    ).prefetch_related(
        "supplement_requests",
        "payments",
        Prefetch(
            "components", queryset=DossierComponent.objects.select_related("stored_file", "uploaded_by", "reused_from")
        ),
        Prefetch("results", queryset=DossierResult.objects.select_related("stored_file", "signed_by")),
        "pauses",
        "fee_lines",
        Prefetch("events", queryset=DossierEvent.objects.select_related("actor").order_by("occurred_at", "id")),
        Prefetch("consultations", queryset=Consultation.objects.select_related("unit").order_by("requested_at", "id")),
        Prefetch(
            "proposals",
            queryset=Proposal.objects.select_related("proposed_by", "decided_by", "draft_file").order_by(
                "-proposed_at", "-id"
            ),
        ),
    )


def _one_to_one(dossier, name):
    """The reverse one-to-one row (apology letter, stop notice, reception), or None if there is none."""
    try:
        return getattr(dossier, name)
    except ObjectDoesNotExist:  # RelatedObjectDoesNotExist; a misspelt name still raises AttributeError
        return None


class TimelineEntry:
    """One event as the timeline shows it: what, who, when, and the finished step's outcome."""

    def __init__(self, event: DossierEvent):
        self.event = event
        transition = lifecycle.TRANSITIONS.get(event.action)
        self.label = transition.label if transition else (event.reason or event.action)
        self.note = event.reason if event.reason and event.reason != self.label else ""
        data = event.data or {}
        self.outcome = data.get("previous_step_outcome") or data.get("outcome") or ""
        self.detail = (
            " → ".join(x for x in (data.get("from_step"), data.get("to_step")) if x)
            if event.action == "hand_off"
            else (data.get("to_assignee") or data.get("unit") or "")
        )

    @property
    def outcome_css(self) -> str:
        return {"quá hạn": "text-bg-danger", "đúng hạn": "text-bg-primary", "trước hạn": "text-bg-success"}.get(
            self.outcome, "text-bg-secondary"
        )


@login_required
def dossier(request, code: str):
    """Hồ sơ: header with countdowns, every section of the file, and the actions this user may take now."""
    at = risk.now()
    dossier = dossier_for(request, code, queryset=_page_queryset())
    facts = actions.Facts.load(dossier, request.user, at)
    effective_due = rules.effective_due_at(dossier)
    due, step_due = risk.hours_left([effective_due, dossier.step_due_at], at)
    stop_notice = _one_to_one(dossier, "stop_notice")
    can_print = policy.can(request.user, policy.Action.PRINT_FORMS, dossier)
    available = [(a, a.url(dossier)) for a in actions.available(facts)]
    context = {
        "dossier": dossier,
        "facts": facts,
        "now": at,
        "effective_due": effective_due,
        "due_countdown": risk.Countdown(due),
        "step_countdown": risk.Countdown(step_due),
        "apology_letter": _one_to_one(dossier, "apology_letter"),
        "stop_notice": stop_notice,
        "reception": _one_to_one(dossier, "reception"),
        "fees": fee_status(dossier),
        "timeline": [TimelineEntry(e) for e in dossier.events.all()],
        "actions": available,
        "desk_links": actions.desk_links(facts),
        "documents": actions.documents(dossier, facts, stop_notice) if can_print else [],
        "proposals": list(dossier.proposals.all()),
        "result_checks": files.result_checks(dossier),
        "may_sign_forms": can_print
        and (
            policy.can(request.user, policy.Action.APPROVE_RESULT, dossier)
            or policy.can(request.user, policy.Action.SIGN_APOLOGY, dossier)
        ),
        "paused": facts.paused,
        "sync": dossier_sync_state(dossier),
        "portal_enabled": bool(settings.MOTCUA_PORTAL_URL),
    }
    return render(request, "workspace/processing/dossier.html", context)


def _after(request, dossier):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workspace:dossier", args=[dossier.code])


@login_required
@require_http_methods(["GET", "POST"])
def dossier_action(request, code: str, action: str):
    """One step action: GET shows its form (an HTMX partial or a page), POST runs it and redirects (PRG)."""
    step_action = actions.ACTIONS.get(action)
    if step_action is None:
        raise Http404("Không có thao tác này.")
    at = risk.now()
    queryset = Dossier.objects.select_related(
        "procedure", "handling_unit", "current_step", "current_assignee", "apology_letter"
    )
    dossier = dossier_for(request, code, queryset=queryset)
    facts = actions.Facts.load(dossier, request.user, at)
    step_action.authorize(facts)  # AccessDenied → 403 page, nothing changed
    refusal = step_action.refusal(facts)
    if request.method == "POST":
        form = step_action.form_class(request.POST, request.FILES, facts=facts)
        if refusal:
            messages.error(request, refusal)
        elif form.is_valid():
            message = run_action(request, lambda: step_action.run(facts, form.cleaned_data, request.user, at))
            if message is not None:
                messages.success(request, message)
                target = _after(request, dossier)
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    else:
        initial = {key: request.GET[key] for key in ("step",) if request.GET.get(key)}
        form = step_action.form_class(initial=initial, facts=facts)
    context = {
        "dossier": dossier,
        "action": step_action,
        "form": form,
        "refusal": refusal,
        "facts": facts,
        "action_url": step_action.url(dossier),
        "next": request.GET.get("next", ""),
    }
    template = "workspace/processing/_action_form.html" if request.htmx else "workspace/processing/action.html"
    return render(request, template, context)


# --- Trình ký ----------------------------------------------------------------------------------------------


@login_required
def approvals(request):
    """The leader's drafts awaiting signature (results, apology letters), the one nearest its deadline first."""
    at = risk.now()
    proposals = (
        queries.signatures(request.user)
        .select_related(
            "dossier",
            "dossier__procedure",
            "dossier__handling_unit",
            "dossier__current_step",
            "proposed_by",
        )
        .order_by(F("dossier__effective_due_at").asc(nulls_last=True), "proposed_at", "pk")
    )
    page = _page(request, proposals)
    risk.attach([p.dossier for p in page.object_list], at)
    context = {
        "page": page,
        "querystring": _querystring(request),
        "now": at,
        "may_sign": bool(
            policy.home_units(request.user, policy.Action.APPROVE_RESULT)
            or policy.home_units(request.user, policy.Action.SIGN_APOLOGY)
        ),
    }
    return render(request, "workspace/processing/approvals.html", context)
