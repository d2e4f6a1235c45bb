"""Lifecycle actions on dossiers.

Each public function is one business action: it runs in one transaction,
locks the dossier row, checks the transition table, writes the change, an
append-only :class:`~motcua.dossiers.models.DossierEvent` and the audit log.
A refused action raises :class:`~motcua.core.errors.TransitionError` (or
``UserError``) and leaves the database exactly as it was.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure, WorkflowStep
from motcua.catalog.versions import current_version as _current_version
from motcua.catalog.versions import fees_of
from motcua.core.audit import audit_context
from motcua.core.errors import TransitionError, UserError
from motcua.files import services as file_services
from motcua.org.models import Unit

from . import lifecycle, rules
from .models import (
    ApologyLetter,
    Channel,
    Consultation,
    Dossier,
    DossierEvent,
    DossierResult,
    FeeLine,
    Pause,
    Payment,
    Proposal,
    Reception,
    Status,
    StopNotice,
    SupplementRequest,
)


def _calendar():
    from motcua.workdays.services import get_calendar

    return get_calendar()


def _instant(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise UserError("Thời điểm phải có múi giờ.", "naive datetime passed to a lifecycle action")
    return at


# --- codes ------------------------------------------------------------------------------------


def allocate_dossier_code(unit: Unit, at: datetime) -> str:
    """Next dossier code ``<unit>-YYMMDD-NNNN`` (process-rules.md R4.2–R4.3).

    One atomic upsert per code: concurrent receptions at the same unit and day
    serialise on the sequence row (PostgreSQL row lock, SQLite writer lock), so
    codes never repeat. Codes already taken (imported from another system) are
    skipped: the sequence moves past them instead of failing every reception of the day.
    """
    day = timezone.localtime(at).date()
    while True:
        code = f"{unit.dossier_code_prefix}-{day:%y%m%d}-{_next_in_sequence(unit, day):04d}"
        if not Dossier.objects.filter(code=code).exists():
            return code


def _next_in_sequence(unit: Unit, day) -> int:
    table = connection.ops.quote_name("dossiers_dossiercodesequence")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [unit.pk, day],
        )
        (value,) = cursor.fetchone()
    return value


# --- the one place that changes a status ------------------------------------------------------


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _locked_or_new(dossier: Dossier, at: datetime) -> Dossier:
    """An existing dossier, locked; or a paper dossier at the counter, given its code (no status yet)."""
    if dossier.pk:
        return _locked(dossier)
    dossier.code = dossier.code or allocate_dossier_code(dossier.receiving_unit or dossier.handling_unit, at)
    dossier.submitted_at = dossier.submitted_at or at
    dossier.status = None
    return dossier


def _last_event_time(dossier: Dossier) -> datetime | None:
    return dossier.events.order_by("-occurred_at").values_list("occurred_at", flat=True).first()


def _apply(
    dossier: Dossier,
    action: str,
    at: datetime,
    *,
    actor=None,
    source="web",
    reason="",
    target: int | None = None,
    step_due_at=None,
    data=None,
) -> DossierEvent:
    """Check ``action`` against the table, move the status, write the event. Caller holds the lock."""
    transition = lifecycle.check(dossier.status if dossier.pk else None, action)
    last = _last_event_time(dossier) if dossier.pk else None
    if last is not None and at < last:
        raise TransitionError(
            f"Thời điểm {timezone.localtime(at):%H:%M %d/%m/%Y} sớm hơn thao tác trước đó trên hồ sơ.",
            f"{action}: instant {at.isoformat()} precedes the last event {last.isoformat()}",
        )
    from_status = dossier.status if dossier.pk else None
    new_status = target if target is not None else transition.target
    if new_status is not None:
        dossier.status = new_status
    dossier.save()
    return DossierEvent.objects.create(
        dossier=dossier,
        kind=DossierEvent.Kind.STATUS if new_status is not None else DossierEvent.Kind.STEP,
        action=action,
        from_status=from_status,
        to_status=new_status,
        occurred_at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=source,
        reason=reason or transition.label,
        step_due_at=step_due_at,
        data=data or {},
    )


def compute_due_at(procedure: Procedure, received_at: datetime, case=None) -> datetime | None:
    """NgayHenTra: received + the statutory limit (the case's own, if it has one) under the working-day calendar."""
    limit, unit = procedure.time_limit, procedure.time_unit
    if case is not None and case.time_limit is not None and case.time_unit:
        limit, unit = case.time_limit, case.time_unit
    if limit is None or not unit:
        return None
    return _calendar().add(received_at, float(limit), unit, cutoff=procedure.cutoff_time)


# --- reception ----------------------------------------------------------------------------------


def register_online(
    *,
    procedure: Procedure,
    handling_unit: Unit,
    submitted_at: datetime,
    code: str,
    applicant: dict | None = None,
    online_service=None,
    source="portal",
    **fields,
) -> Dossier:
    """An online dossier arriving from the national portal (status 1, not yet received)."""
    submitted_at = _instant(submitted_at)
    with transaction.atomic(), audit_context(None, source):
        dossier = Dossier(
            code=code,
            procedure=procedure,
            handling_unit=handling_unit,
            channel=2,
            origin="dvcqg",
            online_service=online_service,
            submitted_at=submitted_at,
            status=Status.SUBMITTED,
            **(applicant or {}),
            **fields,
        )
        dossier.status = None  # a new dossier has no status until the transition sets it
        _apply(dossier, "register_online", submitted_at, source=source)
    return dossier


def receive(
    *,
    procedure: Procedure,
    handling_unit: Unit,
    channel: int,
    actor=None,
    received_at: datetime | None = None,
    receiving_unit: Unit | None = None,
    applicant: dict | None = None,
    dossier: Dossier | None = None,
    case=None,
    sets_count: int = 1,
    result_delivery: str = "",
    source="web",
    **fields,
) -> Dossier:
    """Official acceptance (tiếp nhận) of a complete dossier: code, due instant, receipt data.

    ``dossier`` is an online dossier already registered (status 1); otherwise a new
    dossier is created for a paper submission.
    """
    at = _instant(received_at)
    if handling_unit.valid_to and timezone.localtime(at).date() > handling_unit.valid_to:
        raise UserError(
            f"Đơn vị {handling_unit.code} đã hết hiệu lực từ {handling_unit.valid_to:%d/%m/%Y}.",
            f"unit {handling_unit.code} no longer valid",
        )
    with transaction.atomic(), audit_context(actor, source):
        if dossier is None:
            dossier = Dossier(
                code=allocate_dossier_code(receiving_unit or handling_unit, at),
                procedure=procedure,
                handling_unit=handling_unit,
                receiving_unit=receiving_unit,
                channel=channel,
                submitted_at=at,
                case=case,
                **(applicant or {}),
                **fields,
            )
            dossier.status = None
        else:
            dossier = _locked(dossier)
            if receiving_unit is not None:
                dossier.receiving_unit = receiving_unit  # the desk that accepted an online dossier
        dossier.procedure_version = _current_version(procedure)
        dossier.received_at = at
        dossier.due_at = compute_due_at(procedure, at, dossier.case)
        dossier.effective_due_at = rules.effective_due_at(dossier)
        _apply(
            dossier,
            "receive",
            at,
            actor=actor,
            source=source,
            data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None},
        )
        Reception.objects.create(
            dossier=dossier,
            channel=dossier.channel,
            received_at=at,
            received_by=actor if getattr(actor, "is_authenticated", False) else None,
            counter_unit=receiving_unit or handling_unit,
            sets_count=sets_count,
            result_delivery=result_delivery,
        )
        _record_fees_due(dossier)
    return dossier


def _record_fees_due(dossier: Dossier) -> None:
    """Phí, lệ phí phải nộp: a paper dossier records, when received, the fee lines of the procedure version and
    legal case it is received under (R4.8 fees per trường hợp; paid later at the desk or online, R8.10). An
    online dossier keeps the DanhSachLePhi the portal sent; lines already recorded are left as they are."""
    if dossier.channel == Channel.ONLINE or dossier.fee_lines.exists():
        return
    for fee in fees_of(dossier.procedure_version, dossier.case):  # one or two lines: saved one by one, audited
        FeeLine.objects.create(dossier=dossier, code=fee.code, name=fee.name, amount=fee.amount)


def refuse_reception(dossier: Dossier, *, reason: str, actor=None, at=None, source="web") -> Dossier:
    """Phiếu từ chối tiếp nhận (Mẫu 03, status 3): a reception outcome only (NĐ 61/2018 Art. 17.1(b), R1.24);
    a received dossier is refused after appraisal instead (:func:`refuse_after_appraisal`, R1.25).
    ``dossier`` may be unsaved (a paper dossier at the counter)."""
    at = _instant(at)
    if not reason.strip():
        raise UserError("Phải ghi rõ lý do từ chối.", "refusal without a reason")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked_or_new(dossier, at)
        rules.refuse_unless_allowed("refuse_reception", dossier, at)
        _apply(dossier, "refuse_reception", at, actor=actor, source=source, reason=reason)
    return dossier


# --- supplements ----------------------------------------------------------------------------------


def request_supplement(
    dossier: Dossier, *, items: list[str], reason: str, actor=None, at=None, override_reason: str = "", source="web"
) -> SupplementRequest:
    """Yêu cầu bổ sung, hoàn thiện hồ sơ — once. A second request needs ``override_reason``
    because it makes the dossier overdue on the 766 index (R1.21)."""
    at = _instant(at)
    if not items:
        raise UserError("Phải liệt kê các giấy tờ cần bổ sung.", "supplement request without items")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked_or_new(dossier, at)
        rules.refuse_unless_allowed("request_supplement", dossier, at)
        warning = rules.second_supplement_warning(dossier)
        if warning and not override_reason.strip():
            raise TransitionError(
                warning, "second supplement request refused without an override reason", code="second_supplement"
            )
        stage = SupplementRequest.Stage.APPRAISAL if dossier.received_at else SupplementRequest.Stage.RECEPTION
        _apply(
            dossier,
            "request_supplement",
            at,
            actor=actor,
            source=source,
            reason=reason,
            data={"items": items, "override_reason": override_reason},
        )
        return SupplementRequest.objects.create(
            dossier=dossier,
            stage=stage,
            requested_at=at,
            items=items,
            reason=reason,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            override_reason=override_reason,
        )


def complete_supplement(dossier: Dossier, *, actor=None, at=None, source="web") -> Dossier:
    """The applicant handed in what was missing; processing resumes (or intake, if not yet received)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        request = dossier.supplement_requests.filter(completed_at__isnull=True).order_by("-requested_at").first()
        target = Status.PROCESSING if dossier.received_at else Status.SUBMITTED
        _apply(dossier, "complete_supplement", at, actor=actor, source=source, target=target)
        if request is not None:
            request.completed_at = at
            request.save(update_fields=["completed_at"])
        rules.refresh_effective_due(dossier)  # the applicant's time does not count against the agency
    return dossier


def close_unanswered_supplement(dossier: Dossier, *, actor=None, at=None, source="web") -> Dossier:
    """Đóng hồ sơ: the applicant did not hand in the supplement within 15 working days (R1.10, NĐ 118/2025
    Art. 17.2 pattern). A dossier not yet received ends as "không được tiếp nhận" (status 3); a received one
    is stopped (status 8) with a stop notice giving the reason."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("close_unanswered_supplement", dossier, at)
        request = rules.open_supplement(dossier)
        reason = (
            f"Công dân không bổ sung hồ sơ trong {rules.SUPPLEMENT_ANSWER_DAYS} ngày làm việc kể từ "
            f"yêu cầu bổ sung ngày {timezone.localtime(request.requested_at):%d/%m/%Y}."
        )
        if dossier.received_at is None:
            _apply(
                dossier,
                "refuse_reception",
                at,
                actor=actor,
                source=source,
                reason=reason,
                data={"closed_unanswered_supplement": True},
            )
        else:
            _apply(
                dossier,
                "stop",
                at,
                actor=actor,
                source=source,
                reason=reason,
                data={"closed_unanswered_supplement": True},
            )
            StopNotice.objects.update_or_create(
                dossier=dossier,
                defaults={"kind": StopNotice.Kind.STOP, "issued_at": at, "reason": reason, "requested_at": None},
            )
    return dossier


# --- processing -------------------------------------------------------------------------------------


def start_processing(
    dossier: Dossier, *, step: WorkflowStep | None = None, assignee=None, actor=None, at=None, source="web"
) -> Dossier:
    """Hand a received dossier to the first step of its workflow (status 2 → 4)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        step = step or first_step(dossier)
        due = _step_due(step, at)
        dossier.current_step, dossier.current_assignee, dossier.step_due_at = step, assignee, due
        _apply(
            dossier,
            "start_processing",
            at,
            actor=actor,
            source=source,
            step_due_at=due,
            data={"step": step.name if step else None, "assignee_id": getattr(assignee, "pk", None)},
        )
    return dossier


def first_step(dossier: Dossier) -> WorkflowStep | None:
    """First step of the unit's own workflow for the procedure, else of the generic one."""
    steps = WorkflowStep.objects.filter(workflow__procedure=dossier.procedure, workflow__is_active=True).order_by(
        "order"
    )
    return (
        steps.filter(workflow__unit=dossier.handling_unit).first() or steps.filter(workflow__unit__isnull=True).first()
    )


def step_outcome(done_at: datetime, due_at: datetime | None) -> str | None:
    """trước hạn / đúng hạn / quá hạn of a finished step (Phiếu kiểm soát, R1.38–R1.40).

    Early means finished on a day before the due date; on time, on the due date at or before the due time.
    """
    if due_at is None:
        return None
    if done_at > due_at:
        return "quá hạn"
    return "trước hạn" if timezone.localdate(done_at) < timezone.localdate(due_at) else "đúng hạn"


def _step_due(step: WorkflowStep | None, at: datetime) -> datetime | None:
    if step is None:
        return None
    return _calendar().add_working_hours(at, float(step.allotted_hours))


def hand_off(
    dossier: Dossier, *, step: WorkflowStep, assignee=None, actor=None, at=None, note: str = "", source="web"
) -> DossierEvent:
    """Pass the dossier to the next step or official (chuyển bước); the status stays 4.

    The event records whether the finished step was before, on or after its own
    deadline, for the processing-control slip (Phiếu kiểm soát, R1.19).
    """
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        outcome = step_outcome(at, dossier.step_due_at)
        previous = dossier.current_step.name if dossier.current_step else None
        due = _step_due(step, at)
        dossier.current_step, dossier.current_assignee, dossier.step_due_at = step, assignee, due
        return _apply(
            dossier,
            "hand_off",
            at,
            actor=actor,
            source=source,
            reason=note or "Chuyển bước xử lý",
            step_due_at=due,
            data={
                "from_step": previous,
                "to_step": step.name,
                "previous_step_outcome": outcome,
                "assignee_id": getattr(assignee, "pk", None),
            },
        )


def consult(
    dossier: Dossier, *, unit: Unit, question: str, due_at: datetime, actor=None, at=None, source="web"
) -> Consultation:
    """Request another unit's opinion with its own deadline (lấy ý kiến, R1.15)."""
    at = _instant(at)
    if due_at <= at:
        raise UserError("Hạn trả lời phải sau thời điểm gửi.", "consultation due before it was sent")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        _apply(dossier, "consult", at, actor=actor, source=source, step_due_at=due_at, data={"unit": unit.code})
        return Consultation.objects.create(
            dossier=dossier, unit=unit, requested_at=at, due_at=due_at, question=question
        )


def answer_consultation(consultation: Consultation, *, answer: str, actor=None, at=None, source="web") -> Consultation:
    at = _instant(at)
    if consultation.answered_at:
        raise UserError("Yêu cầu xin ý kiến này đã được trả lời.", "consultation already answered")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(consultation.dossier)
        _apply(
            dossier,
            "answer_consultation",
            at,
            actor=actor,
            source=source,
            data={
                "unit": consultation.unit.code,
                "late": at > consultation.due_at,
                "outcome": step_outcome(at, consultation.due_at),
            },
        )
        consultation.answer, consultation.answered_at = answer, at
        consultation.save(update_fields=["answer", "answered_at"])
    return consultation


def pause(dossier: Dossier, *, reason: str, actor=None, at=None, source="web") -> Pause:
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("pause", dossier, at)
        _apply(dossier, "pause", at, actor=actor, source=source, reason=reason)
        return Pause.objects.create(dossier=dossier, started_at=at, reason=reason)


def resume(dossier: Dossier, *, actor=None, at=None, source="web") -> Pause:
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("resume", dossier, at)
        open_pause = dossier.pauses.filter(ended_at__isnull=True).first()
        _apply(dossier, "resume", at, actor=actor, source=source)
        open_pause.ended_at = at
        open_pause.save(update_fields=["ended_at"])
        return open_pause


def issue_apology(
    dossier: Dossier, *, reason: str, new_due_at: datetime, signer=None, at=None, source="web"
) -> ApologyLetter:
    """Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (TT 03/2025 Mẫu 04): once per dossier
    (NĐ 61/2018 Art. 19.9; R1.27–R1.29).

    NgayHenTra stays as it was (the index scores against it); the new date goes in ``extended_due_at``.
    Issued with less than one working day left the letter is flagged as late practice; a dossier already
    late may still get its one letter (the seeds order them; interchange.md §4), flagged ``after_due``.
    """
    at = _instant(at)
    with transaction.atomic(), audit_context(signer, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("issue_apology", dossier, at)
        judged_due = rules.effective_due_at(dossier, judged=True)
        if new_due_at <= judged_due or new_due_at <= at:
            raise UserError(
                "Ngày hẹn trả mới phải sau ngày hẹn trả cũ và sau thời điểm phát hành.",
                "new due instant not after the old one or the issue instant",
            )
        late, after_due = rules.apology_is_late(dossier, at), at > judged_due
        dossier.extended_due_at = new_due_at
        _apply(
            dossier,
            "issue_apology",
            at,
            actor=signer,
            source=source,
            reason=reason,
            data={"new_due_at": new_due_at.isoformat(), "late_practice": late, "after_due": after_due},
        )
        letter = ApologyLetter.objects.create(
            dossier=dossier,
            issued_at=at,
            reason=reason,
            new_due_at=new_due_at,
            signed_by=signer if getattr(signer, "is_authenticated", False) else None,
            late_practice=late,
            after_due=after_due,
        )
        rules.refresh_effective_due(dossier)
        return letter


def request_financial_obligation(dossier: Dossier, *, reason: str = "", actor=None, at=None, source="web") -> Dossier:
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        _apply(dossier, "request_financial_obligation", at, actor=actor, source=source, reason=reason)
    return dossier


def fees_due(dossier: Dossier) -> int:
    """The total of the dossier's fee lines (phí, lệ phí), in đồng."""
    return sum(dossier.fee_lines.values_list("amount", flat=True).exclude(amount__isnull=True))


def record_payment(
    dossier: Dossier,
    *,
    method: int,
    amount: int,
    transaction_id: str = "",
    actor=None,
    at=None,
    paid_at: datetime | None = None,
    source="web",
) -> Payment:
    """A payment; an open financial-obligation request (status 6) is fulfilled by it.

    ``paid_at`` is when the money was paid, if earlier than when it is recorded (``at``): a
    payment platform reports it after the fact, and the event log only moves forward.
    """
    at = _instant(at)
    paid_at = _instant(paid_at) if paid_at is not None else at
    if amount < 0:
        raise UserError("Số tiền không được âm.", "negative payment amount")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        due = fees_due(dossier)
        _apply(
            dossier,
            "record_payment",
            at,
            actor=actor,
            source=source,
            data={"amount": amount, "method": method, "amount_due": due},
        )
        payment = Payment.objects.create(
            dossier=dossier,
            method=method,
            paid_at=paid_at,
            amount=amount,
            transaction_id=transaction_id,
            amount_due=due,
        )
        if method:
            dossier.online_payment, dossier.paid_at = method, paid_at
            dossier.save(update_fields=["online_payment", "paid_at", "updated_at"])
        if dossier.status == Status.FINANCIAL_OBLIGATION:
            _apply(dossier, "fulfil_financial_obligation", at, actor=actor, source=source)
    return payment


# --- endings -------------------------------------------------------------------------------------------


def finish(
    dossier: Dossier,
    *,
    result_code: str = "",
    title: str = "",
    file_url: str = "",
    signed: bool = False,
    stored_file=None,
    signature_state: str | None = None,
    actor=None,
    at=None,
    source="web",
) -> DossierResult:
    """The result is ready (status 9); an electronic result is recorded with its file and signature state.

    ``signed`` records what another system reported (no file here to check); a result signed here
    passes its ``stored_file`` and the ``signature_state`` its validation gave.
    """
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("finish", dossier, at)
        _apply(dossier, "finish", at, actor=actor, source=source, data={"result_code": result_code})
        dossier.current_step = dossier.current_assignee = dossier.step_due_at = None
        dossier.save(update_fields=["current_step", "current_assignee", "step_due_at", "updated_at"])
        if signature_state is None:
            signature_state = DossierResult.Signature.SIGNED if signed else DossierResult.Signature.UNSIGNED
        return DossierResult.objects.create(
            dossier=dossier,
            code=result_code,
            title=title,
            file_url=file_url,
            issued_at=at,
            signature_state=signature_state,
            stored_file=stored_file,
            signed_by=_person(actor) if stored_file is not None else None,
        )


def record_result_pushed(result: DossierResult, *, receipt: str, at=None, source="system") -> DossierResult:
    """The signed result reached the applicant's electronic data store (KetQuaDayVaoKho, 4.4)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(None, source):
        dossier = _locked(result.dossier)
        result = DossierResult.objects.select_for_update().get(pk=result.pk)
        if result.pushed_to_citizen_store:
            return result
        last = _last_event_time(dossier)
        _apply(
            dossier,
            "push_result",
            max(at, last) if last else at,
            source=source,
            data={
                "result_code": result.code,
                "sha256": result.stored_file.sha256 if result.stored_file else "",
                "receipt": receipt[:200],
            },
        )
        result.pushed_to_citizen_store = True
        result.save(update_fields=["pushed_to_citizen_store"])
    return result


def return_result(dossier: Dossier, *, delivery_method: str, actor=None, at=None, source="web") -> Dossier:
    """The result was handed to the applicant (status 10) and how (R1.34)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        _apply(dossier, "return_result", at, actor=actor, source=source, data={"delivery_method": delivery_method})
        dossier.results.filter(delivered_at__isnull=True).update(delivered_at=at, delivery_method=delivery_method)
    return dossier


def _end(dossier: Dossier, action: str, kind: str, *, reason: str, actor, at, source, requested_at=None) -> Dossier:
    at = _instant(at)
    if not reason.strip():
        raise UserError("Phải ghi rõ lý do.", f"{action} without a reason")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        _apply(dossier, action, at, actor=actor, source=source, reason=reason)
        if action != "request_withdrawal":
            StopNotice.objects.update_or_create(
                dossier=dossier,
                defaults={"kind": kind, "issued_at": at, "reason": reason, "requested_at": requested_at},
            )
    return dossier


def refuse_after_appraisal(dossier: Dossier, *, reason: str, actor=None, at=None, source="web") -> Dossier:
    """Phiếu từ chối giải quyết after appraisal: ends processing as status 8 (R1.25–R1.26)."""
    return _end(
        dossier, "refuse_after_appraisal", StopNotice.Kind.REFUSAL, reason=reason, actor=actor, at=at, source=source
    )


def request_withdrawal(dossier: Dossier, *, reason: str, actor=None, at=None, source="web") -> Dossier:
    """The applicant asks to withdraw (status 7); :func:`stop` then issues the stop notice."""
    return _end(
        dossier, "request_withdrawal", StopNotice.Kind.WITHDRAWAL, reason=reason, actor=actor, at=at, source=source
    )


def stop(dossier: Dossier, *, reason: str, actor=None, at=None, source="web") -> Dossier:
    """Thông báo dừng giải quyết hồ sơ (status 8)."""
    withdrawal = dossier.events.filter(action="request_withdrawal").order_by("-occurred_at").first()
    kind = StopNotice.Kind.WITHDRAWAL if withdrawal else StopNotice.Kind.STOP
    return _end(
        dossier,
        "stop",
        kind,
        reason=reason,
        actor=actor,
        at=at,
        source=source,
        requested_at=withdrawal.occurred_at if withdrawal else None,
    )


def working_hours_left(dossier: Dossier, now: datetime | None = None) -> Decimal | None:
    """Working time left before the effective due instant (:func:`rules.effective_due_at`; negative when late)."""
    due = rules.effective_due_at(dossier)
    if due is None:
        return None
    return Decimal(str(round(_calendar().working_hours_between(_instant(now), due), 2)))


# --- specialists' and leaders' step actions (thẩm định, chuyển người, trình ký, ký duyệt) ---------------


def _step_label(dossier: Dossier) -> str | None:
    return dossier.current_step.name if dossier.current_step_id else None


def _user_label(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def check_assignee(dossier: Dossier, step: WorkflowStep, assignee) -> None:
    """The assignee must be an active official with the step's role in the unit doing the step (or below it)."""
    from motcua.org import tree
    from motcua.org.models import Official

    if assignee is None:
        return
    unit_id = step.unit_id or dossier.handling_unit_id
    holds = Official.objects.filter(
        user=assignee, is_active=True, role=step.role, unit_id__in=tree.subtree_ids(unit_id)
    ).exists()
    if not holds or not assignee.is_active:
        raise UserError(
            f"{_user_label(assignee)} không phải cán bộ đảm nhận bước «{step.name}» của đơn vị xử lý.",
            f"user {assignee.pk} holds no active {step.role} position for step {step.pk} of {dossier.code}",
            code="bad_assignee",
        )


def record_appraisal(dossier: Dossier, *, opinion: str, actor=None, at=None, source="web") -> DossierEvent:
    """Ý kiến thẩm định: the specialist's appraisal opinion, kept in the event log (R1.14)."""
    at = _instant(at)
    if not opinion.strip():
        raise UserError("Phải ghi ý kiến thẩm định.", "appraisal without an opinion")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        event = _apply(
            dossier,
            "appraise",
            at,
            actor=actor,
            source=source,
            reason=opinion.strip(),
            step_due_at=dossier.step_due_at,
            data={"step": _step_label(dossier)},
        )
        _audit_note(dossier, "appraisal", opinion.strip())
        return event


def _audit_note(dossier: Dossier, name: str, value: str) -> None:
    """An audit entry for an action that changes no audited field (the actor and source come from audit_context)."""
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(dossier, force_log=True, action=LogEntry.Action.UPDATE, changes={name: [None, value]})


def transfer(dossier: Dossier, *, assignee, actor=None, at=None, note: str = "", source="web") -> DossierEvent:
    """Chuyển người xử lý: another official of the unit takes over the same step.

    Unlike :func:`hand_off` the step keeps its own deadline: passing a dossier
    to a colleague does not buy the step more time.
    """
    at = _instant(at)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        if dossier.current_step_id is None:
            raise TransitionError(
                "Hồ sơ chưa ở bước xử lý nào; hãy chuyển bước.", f"transfer of {dossier.code} without a step"
            )
        if assignee is None:
            raise UserError("Phải chọn cán bộ nhận hồ sơ.", "transfer without an assignee")
        if assignee.pk == dossier.current_assignee_id:
            raise UserError("Cán bộ này đang xử lý hồ sơ.", "transfer to the current assignee")
        check_assignee(dossier, dossier.current_step, assignee)
        previous = dossier.current_assignee
        dossier.current_assignee = assignee
        return _apply(
            dossier,
            "transfer",
            at,
            actor=actor,
            source=source,
            reason=note or "Chuyển người xử lý",
            step_due_at=dossier.step_due_at,
            data={
                "step": _step_label(dossier),
                "to_step": _step_label(dossier),
                "from_assignee": _user_label(previous),
                "to_assignee": _user_label(assignee),
            },
        )


def _pending(proposal: Proposal, kind: str) -> Proposal:
    """The proposal re-read under lock; refused unless it still awaits a signature."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.kind != kind:
        raise UserError("Dự thảo không đúng loại.", f"proposal {proposal.pk} is a {proposal.kind}, not a {kind}")
    if proposal.state != Proposal.State.PENDING:
        raise TransitionError(
            "Dự thảo này đã được ký duyệt hoặc trả lại.",
            f"proposal {proposal.pk} is {proposal.state}",
            code="proposal_decided",
        )
    return proposal


def propose_result(
    dossier: Dossier,
    *,
    title: str,
    result_code: str = "",
    file_url: str = "",
    note: str = "",
    draft=None,
    step: WorkflowStep | None = None,
    assignee=None,
    actor=None,
    at=None,
    source="web",
) -> Proposal:
    """Dự thảo kết quả, trình ký: the specialist's draft result, handed to the leader's step if ``step`` is given.

    ``draft`` is the uploaded draft (a PDF or a scan): checked and stored before anything else, so a
    refused file leaves the dossier as it was. The leader signs that file (:func:`approve_result`).
    """
    at = _instant(at)
    if not title.strip():
        raise UserError("Phải ghi tên giấy tờ kết quả.", "result proposal without a title")
    stored = checked = None
    if draft is not None:
        stored, checked = file_services.store_upload(draft)
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        if dossier.proposals.filter(kind=Proposal.Kind.RESULT, state=Proposal.State.PENDING).exists():
            raise TransitionError(
                "Hồ sơ đã có dự thảo kết quả đang chờ ký duyệt.",
                f"{dossier.code} already has a pending result",
                code="result_pending",
            )
        if step is not None:
            check_assignee(dossier, step, assignee)
        from_step = dossier.current_step
        _apply(
            dossier,
            "propose_result",
            at,
            actor=actor,
            source=source,
            reason=note or "Trình ký dự thảo kết quả",
            data={"title": title, "result_code": result_code, "step": _step_label(dossier)},
        )
        proposal = Proposal.objects.create(
            dossier=dossier,
            kind=Proposal.Kind.RESULT,
            proposed_by=_person(actor),
            proposed_at=at,
            from_step=from_step,
            title=title.strip(),
            result_code=result_code.strip(),
            file_url=file_url.strip(),
            note=note.strip(),
            draft_file=stored,
            draft_name=checked.original_name if checked else "",
        )
        if step is not None:
            hand_off(dossier, step=step, assignee=assignee, actor=actor, at=at, note="Trình ký kết quả", source=source)
    return proposal


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def _decide(proposal: Proposal, state: str, person, at: datetime, **fields) -> None:
    """Record a leader's decision on a draft (signed or returned) with what it produced or why."""
    proposal.state, proposal.decided_by, proposal.decided_at = state, _person(person), at
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["state", "decided_by", "decided_at", *fields])


def _sign_draft(proposal: Proposal, signer) -> tuple:
    """The draft signed with the organisation's certificate (PAdES), stored, and its validation."""
    from motcua.files import signing

    data = file_services.read_bytes(proposal.draft_file)
    name = getattr(signer, "get_full_name", lambda: "")() or getattr(signer, "username", "")
    signed = signing.sign_pdf(
        data, reason=f"Ký duyệt kết quả {proposal.dossier.code}: {proposal.title}"[:200], location=name
    )
    validation = signing.validation_of(signed)
    stored = file_services.store_bytes(signed, page_count=proposal.draft_file.page_count, has_signature=True)
    state = DossierResult.Signature.VERIFIED if validation.valid else DossierResult.Signature.INVALID
    return stored, state


def _result_link(dossier: Dossier, stored) -> str:
    """DuongDanTepTinKetQua: where the signed file is served (to whom may see the dossier)."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse("workspace:result-file", args=[dossier.code, stored.sha256])
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}{path}" if settings.MOTCUA_PUBLIC_URL else path


def approve_result(proposal: Proposal, *, signer=None, at=None, source="web") -> DossierResult:
    """Lãnh đạo ký duyệt kết quả: the dossier is done (status 9) with the result.

    With a draft file the result is that file with a real PAdES signature of the organisation's
    certificate (:mod:`motcua.files.signing`), validated at once (``verified``); signing happens
    before the dossier is locked, and a missing certificate refuses the approval, changing nothing.
    Without a file (a paper result) the approval is recorded and nothing claims a digital signature.
    """
    at = _instant(at)
    stored = state = None
    if proposal.draft_file_id is not None and proposal.state == Proposal.State.PENDING:
        stored, state = _sign_draft(proposal, signer)
    with transaction.atomic(), audit_context(signer, source):
        _locked(proposal.dossier)  # the dossier first, as every action does: no lock-order inversion
        proposal = _pending(proposal, Proposal.Kind.RESULT)
        result = finish(
            proposal.dossier,
            result_code=proposal.result_code,
            title=proposal.title,
            file_url=_result_link(proposal.dossier, stored) if stored else proposal.file_url,
            stored_file=stored,
            signature_state=state or DossierResult.Signature.UNSIGNED,
            actor=signer,
            at=at,
            source=source,
        )
        _decide(proposal, Proposal.State.SIGNED, signer, at, result=result)
    return result


def reject_result(proposal: Proposal, *, reason: str, actor=None, at=None, source="web") -> Proposal:
    """Trả lại dự thảo kết quả: back to the specialist who drafted it, at the step they drafted it in."""
    at = _instant(at)
    if not reason.strip():
        raise UserError("Phải ghi lý do trả lại.", "result returned without a reason")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(proposal.dossier)
        proposal = _pending(proposal, Proposal.Kind.RESULT)
        step_back = proposal.from_step_id and proposal.from_step_id != dossier.current_step_id
        if not step_back and proposal.proposed_by_id:
            dossier.current_assignee = proposal.proposed_by  # same step: only the person changes
        _apply(
            dossier,
            "reject_result",
            at,
            actor=actor,
            source=source,
            reason=reason.strip(),
            step_due_at=dossier.step_due_at,
            data={"title": proposal.title, "to_assignee": _user_label(proposal.proposed_by)},
        )
        _decide(proposal, Proposal.State.RETURNED, actor, at, decision_note=reason.strip())
        if step_back:
            # A hand-off of its own: the leader's step ends (with its outcome) and the drafting step restarts.
            hand_off(
                dossier,
                step=proposal.from_step,
                assignee=proposal.proposed_by,
                actor=actor,
                at=at,
                note=f"Trả lại: {reason.strip()}",
                source=source,
            )
    return proposal


def propose_apology(dossier: Dossier, *, reason: str, extension_days, actor=None, at=None, source="web") -> Proposal:
    """Dự thảo văn bản xin lỗi và đề nghị gia hạn, for the leader to sign (R1.27–R1.28).

    Refused when a letter exists (extension is allowed once) or one awaits signature
    (:func:`rules.why_not_propose_apology`). The new due instant is the effective one
    (NgayHenTra + completed supplements) plus ``extension_days`` working days; for a
    dossier already late, ``extension_days`` from now.
    """
    at = _instant(at)
    if not reason.strip():
        raise UserError("Phải ghi lý do chậm giải quyết.", "apology proposal without a reason")
    days = Decimal(str(extension_days or 0))
    if days <= 0:
        raise UserError("Số ngày gia hạn phải lớn hơn 0.", f"apology proposal with {days} days")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(dossier)
        rules.refuse_unless_allowed("propose_apology", dossier, at)
        new_due_at = _calendar().add(
            max(rules.effective_due_at(dossier, judged=True), at), float(days), "ngay_lam_viec"
        )
        _apply(
            dossier,
            "propose_apology",
            at,
            actor=actor,
            source=source,
            reason=reason.strip(),
            data={"extension_days": str(days), "new_due_at": new_due_at.isoformat()},
        )
        return Proposal.objects.create(
            dossier=dossier,
            kind=Proposal.Kind.APOLOGY,
            proposed_by=_person(actor),
            proposed_at=at,
            from_step=dossier.current_step,
            note=reason.strip(),
            extension_days=days,
            new_due_at=new_due_at,
        )


def sign_apology(proposal: Proposal, *, signer=None, at=None, source="web") -> ApologyLetter:
    """Lãnh đạo ký văn bản xin lỗi và đề nghị gia hạn: issues the letter (once, before the due instant)."""
    at = _instant(at)
    with transaction.atomic(), audit_context(signer, source):
        dossier = _locked(proposal.dossier)
        proposal = _pending(proposal, Proposal.Kind.APOLOGY)
        letter = issue_apology(
            dossier, reason=proposal.note, new_due_at=proposal.new_due_at, signer=signer, at=at, source=source
        )
        _decide(proposal, Proposal.State.SIGNED, signer, at, apology_letter=letter)
    return letter


def reject_apology(proposal: Proposal, *, reason: str, actor=None, at=None, source="web") -> Proposal:
    """Trả lại dự thảo văn bản xin lỗi: the specialist may propose again while the dossier is not late."""
    at = _instant(at)
    if not reason.strip():
        raise UserError("Phải ghi lý do trả lại.", "apology returned without a reason")
    with transaction.atomic(), audit_context(actor, source):
        dossier = _locked(proposal.dossier)
        proposal = _pending(proposal, Proposal.Kind.APOLOGY)
        _apply(dossier, "reject_apology", at, actor=actor, source=source, reason=reason.strip())
        _decide(proposal, Proposal.State.RETURNED, actor, at, decision_note=reason.strip())
    return proposal
