"""What citizens are told, and when: a dossier event or a complaint's publication becomes notifications.

Called inside the transaction of the event (signals.py), so the notifications exist exactly when
the event does. The context keeps what the Vietnamese templates print, as it was at the event.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import delivery
from .models import Kind

#: DossierEvent.action → what the applicant is told.
DOSSIER_KINDS = {
    "receive": Kind.DOSSIER_RECEIVED,
    "request_supplement": Kind.SUPPLEMENT_REQUESTED,
    "finish": Kind.RESULT_READY,
    "issue_apology": Kind.APOLOGY_LETTER,
}
#: ComplaintStatusLog.status → what the sender is told.
COMPLAINT_KINDS = {"da_cong_khai": Kind.COMPLAINT_ANSWERED}


def when(instant: datetime | str | None) -> str:
    """ "08:30 ngày 05/03/2026" in Vietnam's time; "" when unknown."""
    if isinstance(instant, str):
        instant = parse_datetime(instant)
    if instant is None:
        return ""
    return timezone.localtime(instant).strftime("%H:%M ngày %d/%m/%Y")


def dossier_event(event, using: str = "default") -> list[int]:
    """Notifications of the applicant about ``event`` (a new DossierEvent), if its action is told; ids to send."""
    kind = DOSSIER_KINDS.get(event.action)
    if kind is None:
        return []
    dossier = event.dossier
    unit = dossier.receiving_unit or dossier.handling_unit
    context = {
        "code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "procedure_name": dossier.procedure.name,
        "unit_name": unit.name if unit else "",
        "received_at": when(dossier.received_at),
        "due_at": when(dossier.extended_due_at or dossier.due_at),
        "at": when(event.occurred_at),
    }
    data = event.data or {}
    if kind == Kind.SUPPLEMENT_REQUESTED:
        context.update(items=[str(item) for item in data.get("items") or []], reason=event.reason)
    elif kind == Kind.RESULT_READY:
        reception = getattr(dossier, "reception", None) if dossier.pk else None
        context.update(delivery=getattr(reception, "result_delivery", "") or "")
    elif kind == Kind.APOLOGY_LETTER:
        context.update(reason=event.reason, new_due_at=when(data.get("new_due_at")), old_due_at=when(dossier.due_at))
    addresses = {"email": dossier.applicant_email, "sms": dossier.applicant_phone, "zalo": dossier.applicant_phone}
    return delivery.write(kind, event.pk, addresses=addresses, context=context, reference=dossier.code, using=using)


def complaint_step(row, using: str = "default") -> list[int]:
    """Notifications of the sender about a complaint's new log ``row``, if its status is told; ids to send."""
    kind = COMPLAINT_KINDS.get(row.status)
    if kind is None:
        return []
    complaint = row.complaint
    context = {
        "code": complaint.code,
        "title": complaint.title,
        "sender_name": complaint.sender_name,
        "unit_name": complaint.unit.name,
        "answer": complaint.answer,
        "at": when(row.occurred_at),
    }
    addresses = {"email": complaint.sender_email, "sms": complaint.sender_phone, "zalo": complaint.sender_phone}
    return delivery.write(kind, row.pk, addresses=addresses, context=context, reference=complaint.code, using=using)
