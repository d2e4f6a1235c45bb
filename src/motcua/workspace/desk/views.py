"""The one-stop desk (Bộ phận Một cửa): receive dossiers, hand them on, return results.

Every view is for desk officers (the policy's RECEIVE right somewhere) and every
dossier goes through :func:`~motcua.workspace.shortcuts.dossier_for` with the
action's own right. Views authorize, call one action of
:mod:`motcua.dossiers.intake` / :mod:`motcua.dossiers.services`, then redirect
(PRG); a refused action re-shows the page with its Vietnamese message and has
changed nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.access import policy
from motcua.access.desk import counter_for, desk_units, handling_units
from motcua.access.policy import Action
from motcua.core.errors import UserError
from motcua.dossiers import handover, intake, rules, services
from motcua.dossiers import search as dossier_search
from motcua.dossiers.fees import fee_status
from motcua.dossiers.models import Channel, Dossier, Status, SupplementRequest
from motcua.workdays.services import get_calendar
from motcua.workspace.shortcuts import dossier_for, run_action

from .forms import (
    IntakeForm,
    PaymentForm,
    ReceptionForm,
    ReturnForm,
    StartForm,
    SupplementReceivedForm,
    WithdrawalForm,
    split_items,
)

PAGE_SIZE = 25
#: The desk's lists: (status, title). Online dossiers and paper ones back from a supplement wait in status 1.
LISTS = {
    "pending": (Status.SUBMITTED, gettext_lazy("Chờ tiếp nhận")),
    "received": (Status.RECEIVED, gettext_lazy("Đã tiếp nhận, chờ chuyển xử lý")),
    "supplement": (Status.SUPPLEMENT_REQUESTED, gettext_lazy("Chờ công dân bổ sung")),
    "results": (Status.DONE, gettext_lazy("Có kết quả, chờ trả")),
}


def _desk_officer(request) -> list:
    """The desk's screens are for officers of a Bộ phận Một cửa; returns their counters."""
    policy.authorize(request.user, Action.RECEIVE)
    units = desk_units(request.user)
    if not units:
        raise policy.AccessDenied("Bộ phận Một cửa của bạn không còn hiệu lực.", "desk unit expired", code="forbidden")
    return units


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _fmt(at) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else ""


# --- the desk's day --------------------------------------------------------------------------


def _desk_queryset(user):
    units = policy.units_for(user, Action.RECEIVE)
    return Dossier.objects.filter(Q(handling_unit_id__in=units) | Q(receiving_unit_id__in=units))


def _deadline(dossier, now, calendar) -> tuple[str, bool]:
    """Countdown in working hours for the row and whether it is late."""
    answer_by = rules.online_answer_due_at(dossier)  # R1.9, 8 working hours
    if answer_by is not None:
        left = calendar.working_hours_between(now, answer_by)
    elif dossier.effective_due_at:
        left = calendar.working_hours_between(now, dossier.effective_due_at)
    else:
        return "", False
    return intake.hours_text(round(left, 1)), left < 0


@login_required
@require_GET
def desk(request):
    """Hôm nay tại Bộ phận Một cửa: what waits for reception, for a supplement, to be handed on, to be returned."""
    units = _desk_officer(request)
    chosen = request.GET.get("list") if request.GET.get("list") in LISTS else None
    current = chosen or "pending"
    query = request.GET.get("q", "").strip()
    base = _desk_queryset(request.user)
    if query:
        base = base.filter(Q(code__icontains=query) | dossier_search.text_condition(query))
    unit_choices = list(handling_units(request.user))
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit() and any(u.pk == int(unit_id) for u in unit_choices):
        base = base.filter(handling_unit_id=int(unit_id))
    channel = request.GET.get("channel", "")
    if channel.isdigit() and int(channel) in Channel.values:
        base = base.filter(channel=int(channel))
    counts = base.aggregate(**{name: Count("pk", filter=Q(status=status)) for name, (status, _t) in LISTS.items()})
    if query and chosen is None and not counts[current]:
        # A search (a name, an ID number) lands on the tab where the dossiers found are, not on an empty one.
        current = next((name for name in LISTS if counts[name]), current)

    status = LISTS[current][0]
    order = {
        "pending": ["submitted_at", "pk"],
        "received": ["received_at", "pk"],
        "supplement": ["updated_at", "pk"],
        "results": ["due_at", "pk"],
    }[current]
    rows = base.filter(status=status).select_related("procedure", "handling_unit").order_by(*order)
    if current == "supplement":
        rows = rows.prefetch_related(
            Prefetch(
                "supplement_requests",
                to_attr="open_requests",
                queryset=SupplementRequest.objects.filter(completed_at__isnull=True).order_by("-requested_at"),
            )
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now, calendar = timezone.now(), get_calendar()
    for dossier in page:
        dossier.deadline_text, dossier.is_late = _deadline(dossier, now, calendar)
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "workspace/desk/desk.html",
        {
            "units": units,
            "lists": [(name, title, counts[name]) for name, (_s, title) in LISTS.items()],
            "current": current,
            "current_title": LISTS[current][1],
            "page": page,
            "query": query,
            "unit_choices": unit_choices,
            "unit_id": unit_id,
            "channel": channel,
            "channels": Channel.choices,
            "querystring": keep.urlencode(),
        },
    )


# --- the procedure picker --------------------------------------------------------------------


@login_required
@require_GET
def procedure_search(request):
    """Search-as-you-type over the counter's procedures, by code or name, accents ignored."""
    units = _desk_officer(request)
    query = request.GET.get("q", "").strip()
    hits = intake.search_procedures(units[0], query) if len(query) >= 2 else []
    context = {"hits": hits, "query": query}
    if request.htmx:
        return render(request, "workspace/desk/_procedure_results.html", context)
    return render(request, "workspace/desk/procedure_search.html", context)


@login_required
@require_GET
def procedure_part(request):
    """The part of the reception form that depends on the procedure: case select and checklist."""
    units = _desk_officer(request)
    initial = {"procedure": request.GET.get("procedure"), "case": request.GET.get("case")}
    if not request.htmx:
        return redirect(f"{reverse('workspace:desk-receive')}?{request.GET.urlencode()}")
    form = ReceptionForm(initial=initial, user=request.user, desk_unit=units[0])
    return render(request, "workspace/desk/_procedure_part.html", {"form": form})


@login_required
@require_POST
def check(request):
    """Kiểm tra tính đầy đủ (HTMX): which mandatory components are still missing. Changes nothing."""
    units = _desk_officer(request)
    form = ReceptionForm(request.POST, request.FILES, user=request.user, desk_unit=units[0])
    result = form.completeness()
    return render(
        request,
        "workspace/desk/_completeness.html",
        {
            "result": result,
            "form": form,
            "checked": form.chosen_procedure is not None,
            "prefill": _prefill(form, request.POST.get("supplement_items", ""), result),
        },
    )


def _prefill(form, typed: str, result) -> str | None:
    """The itemised supplement list from the check, unless the officer has written their own.

    A list made only of declared component names came from an earlier check and follows
    the ticks; anything else was typed and is left alone (None).
    """
    current = set(split_items(typed))
    if current and not current <= {spec.name for spec in form.specs}:
        return None
    return "\n".join(result.missing_names)


# --- reception of a paper dossier ----------------------------------------------------------


_OUTCOME_ACTIONS = {
    "receive": Action.RECEIVE,
    "supplement": Action.REQUEST_SUPPLEMENT,
    "refuse": Action.REFUSE_RECEPTION,
}


@login_required
@require_http_methods(["GET", "POST"])
def receive(request):
    """Tiếp nhận hồ sơ (trực tiếp, bưu chính): receipt, supplement request, or refusal."""
    units = _desk_officer(request)
    outcome = request.POST.get("outcome", "check")
    if request.method == "POST":
        form = ReceptionForm(request.POST, request.FILES, user=request.user, desk_unit=units[0], outcome=outcome)
    else:
        form = ReceptionForm(
            initial={k: request.GET.get(k) for k in ("procedure", "case")}, user=request.user, desk_unit=units[0]
        )
    completeness = None
    if request.method == "POST" and form.is_valid() and form.outcome != "check":
        data = form.cleaned_data
        # The desk receives for any competent unit of the province (NĐ 118/2025): the right is the desk's own.
        receiving_unit = counter_for(request.user, data["handling_unit"])
        policy.authorize(request.user, _OUTCOME_ACTIONS[form.outcome], unit=receiving_unit)
        counter = form.counter_dossier(receiving_unit)
        try:
            if form.outcome == "receive":
                dossier = intake.receive_at_counter(counter, form.submissions(), actor=request.user)
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s; hẹn trả kết quả %(due)s.")
                    % {"code": dossier.code, "due": _fmt(dossier.due_at) or _("(không xác định)")},
                )
            elif form.outcome == "supplement":
                dossier = intake.request_supplement_at_counter(
                    counter, form.submissions(), items=data["items"], reason=data.get("reason", ""), actor=request.user
                )
                messages.success(
                    request, _("Đã lập phiếu yêu cầu bổ sung cho hồ sơ %(code)s.") % {"code": dossier.code}
                )
            else:
                dossier = intake.refuse_at_counter(counter, reason=data["reason"], actor=request.user)
                messages.success(request, _("Đã lập phiếu từ chối tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
        except UserError as error:
            form.add_error(None, error.message)
        else:
            return redirect("workspace:desk-received", code=dossier.code)
    if request.method == "POST" and form.chosen_procedure is not None:
        completeness = form.completeness()
        prefill = _prefill(form, request.POST.get("supplement_items", ""), completeness)
        if form.outcome == "check" and prefill is not None:
            form.data = form.data.copy()
            form.data["supplement_items"] = prefill  # the itemised list the officer will confirm
    return render(
        request,
        "workspace/desk/receive.html",
        {
            "form": form,
            "completeness": completeness,
            "files_dropped": bool(request.FILES) and request.method == "POST",
        },
    )


@login_required
@require_GET
def received(request, code: str):
    """After the counter: the code, NgayHenTra, the form to print, and the hand-over to the first step."""
    _desk_officer(request)
    dossier = dossier_for(request, code)
    return _received_page(request, dossier, StartForm(dossier=dossier))


def _received_page(request, dossier, start_form, status=200):
    reception = getattr(dossier, "reception", None) if dossier.received_at else None
    return render(
        request,
        "workspace/desk/received.html",
        {
            "dossier": dossier,
            "start_form": start_form,
            "reception": reception,
            "components": list(dossier.components.all()),
            "supplement": dossier.supplement_requests.order_by("-requested_at", "-id").first(),
            "first_step": intake.first_step(dossier) if dossier.status == Status.RECEIVED else None,
            "hours_left": intake.hours_text(services.working_hours_left(dossier)) if dossier.due_at else "",
            "refused": dossier.status == Status.NOT_RECEIVED,
            "fees": fee_status(dossier) if dossier.received_at else None,
        },
        status=status,
    )


@login_required
@require_POST
def start(request, code: str):
    """Chuyển xử lý: hand a received dossier to its workflow's first step (2 → 4)."""
    _desk_officer(request)
    dossier = dossier_for(request, code, Action.START_PROCESSING)
    form = StartForm(request.POST, dossier=dossier)
    if form.is_valid():
        try:
            services.start_processing(dossier, assignee=form.cleaned_data["assignee"], actor=request.user)
        except UserError as error:
            messages.error(request, error.message)
        else:
            dossier.refresh_from_db()
            step = dossier.current_step.name if dossier.current_step else _("(chưa có quy trình nội bộ)")
            messages.success(
                request, _("Đã chuyển hồ sơ %(code)s sang bước «%(step)s».") % {"code": code, "step": step}
            )
            return redirect(_next_or(request, reverse("workspace:desk-received", args=[code])))
    return _received_page(request, dossier, form)


# --- dossiers registered before reception (online, or back after a supplement) --------------


@login_required
@require_http_methods(["GET", "POST"])
def intake_view(request, code: str):
    """Tiếp nhận a dossier in status 1: check it, then receive, send back for a supplement, or refuse."""
    _desk_officer(request)
    dossier = dossier_for(request, code, Action.RECEIVE)
    outcome = request.POST.get("outcome", "check")
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, dossier=dossier, outcome=outcome)
        if form.is_valid() and form.outcome != "check":
            policy.authorize(request.user, _OUTCOME_ACTIONS[form.outcome], dossier)
            data = form.cleaned_data
            try:
                if form.outcome == "receive":
                    counter = counter_for(request.user, dossier.handling_unit)
                    dossier = intake.receive_registered(
                        dossier,
                        form.submissions(new_only=True),
                        actor=request.user,
                        receiving_unit=counter,
                        result_delivery=data["result_delivery"],
                        sets_count=data["sets_count"],
                    )
                    messages.success(
                        request,
                        _("Đã tiếp nhận hồ sơ %(code)s; hẹn trả kết quả %(due)s.")
                        % {"code": code, "due": _fmt(dossier.due_at) or _("(không xác định)")},
                    )
                elif form.outcome == "supplement":
                    intake.request_supplement_registered(
                        dossier,
                        items=data["items"],
                        reason=data.get("reason", ""),
                        actor=request.user,
                        submissions=form.submissions(new_only=True),
                    )
                    messages.success(request, _("Đã gửi yêu cầu bổ sung cho hồ sơ %(code)s.") % {"code": code})
                else:
                    services.refuse_reception(dossier, reason=data["reason"], actor=request.user)
                    messages.success(request, _("Đã từ chối tiếp nhận hồ sơ %(code)s.") % {"code": code})
            except UserError as error:
                form.add_error(None, error.message)
            else:
                return redirect("workspace:desk-received", code=code)
    else:
        form = IntakeForm(dossier=dossier)
    return render(
        request,
        "workspace/desk/intake.html",
        {
            "dossier": dossier,
            "form": form,
            "completeness": form.completeness(),
            "components": list(dossier.components.all()),
            "answer_left": _deadline(dossier, timezone.now(), get_calendar())[0]
            if dossier.status == Status.SUBMITTED
            else "",
        },
    )


# --- after reception -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def complete_supplement(request, code: str):
    """Nhận hồ sơ bổ sung: the applicant brought what was missing, maybe with new scans."""
    _desk_officer(request)
    dossier = dossier_for(request, code, Action.COMPLETE_SUPPLEMENT)
    form = SupplementReceivedForm(request.POST or None, request.FILES or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = intake.complete_supplement(dossier, form.submissions(new_only=True), actor=request.user)
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã nhận hồ sơ bổ sung của hồ sơ %(code)s.") % {"code": code})
            if dossier.status == Status.SUBMITTED:  # not yet received: check it and receive it now
                return redirect("workspace:desk-intake", code=code)
            return redirect(_next_or(request, reverse("workspace:desk")))
    return render(
        request,
        "workspace/desk/complete_supplement.html",
        {
            "dossier": dossier,
            "form": form,
            "supplement": intake.open_supplement(dossier),
            "components": list(dossier.components.all()),
        },
    )


def _simple_action(request, code, action, form_class, texts, perform, success, initial=None, after=None):
    """GET shows the form; POST authorizes, runs ``perform(dossier, data)``, then PRG to the desk."""
    _desk_officer(request)
    dossier = dossier_for(request, code, action)
    form = form_class(request.POST or None, initial=initial(dossier) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(dossier, form.cleaned_data)
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, success % {"code": code})
            return redirect(_next_or(request, after(dossier) if after else reverse("workspace:desk")))
    heading, button = texts
    return render(
        request, "workspace/desk/action.html", {"dossier": dossier, "form": form, "heading": heading, "button": button}
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_result(request, code: str):
    """Trả kết quả (9 → 10): how it was delivered and who collected it; then the return slip to print."""

    def initial(d):
        return {
            "delivery_method": getattr(getattr(d, "reception", None), "result_delivery", "")
            or intake.DeliveryMethod.DESK,
            "collector_name": d.applicant_name,
            "collector_id_number": d.applicant_id_number,
        }

    def perform(d, data):
        handover.return_result(
            d,
            delivery_method=data["delivery_method"],
            collector_name=data["collector_name"],
            collector_id_number=data["collector_id_number"],
            authorised=data["authorised"],
            authorisation=data["authorisation"],
            actor=request.user,
        )

    return _simple_action(
        request,
        code,
        Action.RETURN_RESULT,
        ReturnForm,
        (_("Trả kết quả"), _("Xác nhận đã trả kết quả")),
        perform,
        _("Đã trả kết quả hồ sơ %(code)s; in phiếu trả kết quả để người nhận ký."),
        initial=initial,
        after=lambda d: reverse("workspace:dossier", args=[d.code]) + "#documents",
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment(request, code: str):
    """Ghi nhận thanh toán phí, lệ phí."""
    return _simple_action(
        request,
        code,
        Action.RECORD_PAYMENT,
        PaymentForm,
        (_("Ghi nhận thanh toán phí, lệ phí"), _("Ghi nhận thanh toán")),
        lambda d, data: services.record_payment(
            d, method=data["method"], amount=data["amount"], transaction_id=data["transaction_id"], actor=request.user
        ),
        _("Đã ghi nhận thanh toán cho hồ sơ %(code)s."),
        initial=lambda d: {"amount": sum(line.amount or 0 for line in d.fee_lines.all())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdrawal(request, code: str):
    """Công dân yêu cầu rút hồ sơ (status 7); the stop notice is then issued by the handling unit."""
    return _simple_action(
        request,
        code,
        Action.RECORD_WITHDRAWAL,
        WithdrawalForm,
        (_("Công dân yêu cầu rút hồ sơ"), _("Ghi nhận yêu cầu rút hồ sơ")),
        lambda d, data: services.request_withdrawal(d, reason=data["reason"], actor=request.user),
        _("Đã ghi nhận yêu cầu rút hồ sơ %(code)s."),
    )


# --- reuse of earlier papers (4.3) --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reuse_papers(request, code: str):
    """Tra cứu và sử dụng lại giấy tờ đã số hóa, kết quả đã ký của chủ hồ sơ (across the units the official sees).

    Looking up is logged with its reason (PaperLookup); attaching needs the official's own look-up.
    """
    from motcua.dossiers import reuse
    from motcua.dossiers.models import PaperLookup

    _desk_officer(request)
    dossier = dossier_for(request, code, Action.RECEIVE)
    visible = policy.visible_dossiers(request.user)
    lookup, papers = None, None
    if request.method == "POST" and request.POST.get("step") == "attach":
        lookup = PaperLookup.objects.filter(
            pk=request.POST.get("lookup") or 0, actor=request.user, dossier=dossier
        ).first()
        if lookup is None:
            messages.error(request, _("Kết quả tra cứu không còn; hãy tra cứu lại."))
        else:
            done = run_action(
                request,
                lambda: reuse.reuse(
                    dossier,
                    lookup,
                    request.POST.getlist("paper"),
                    visible=visible,
                    component_code=request.POST.get("component_code", "").strip()[:128],
                    actor=request.user,
                ),
            )
            if done is not None:
                messages.success(request, _("Đã sử dụng lại %(n)d giấy tờ, không cần tải lên lại.") % {"n": len(done)})
                return redirect("workspace:desk-received", code=dossier.code)
            papers = reuse.papers_of(lookup.id_number, visible=visible, dossier=dossier)
    elif request.method == "POST":
        found = run_action(
            request,
            lambda: reuse.look_up(
                request.POST.get("id_number", ""),
                visible=visible,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                dossier=dossier,
            ),
        )
        if found is not None:
            lookup, papers = found
    declared = [(spec.code, spec.name) for spec in intake.declared_components(dossier.procedure, dossier.case)]
    return render(
        request,
        "workspace/desk/reuse.html",
        {
            "dossier": dossier,
            "lookup": lookup,
            "papers": papers,
            "declared": declared,
            "id_number": request.POST.get("id_number", dossier.applicant_id_number),
            "reason": request.POST.get("reason", ""),
        },
    )
