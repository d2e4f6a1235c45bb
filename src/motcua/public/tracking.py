"""What a citizen sees of their dossier: status in plain words, timeline, due instant, supplement asked
for, where and when to collect the result, their rating; personal data masked.

Look-ups are by the dossier code's unique index: one query to check the second factor, a handful to
show the page (:func:`load`), whatever the number of dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from motcua.dossiers import tracking
from motcua.dossiers.intake import DeliveryMethod
from motcua.dossiers.models import Dossier, DossierEvent, DossierResult, Status, SupplementRequest
from motcua.dossiers.services import fees_due
from motcua.feedback.models import Rating
from motcua.files import services as file_services
from motcua.org.models import Unit
from motcua.workdays.services import get_calendar

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The status in the words of a letter to the applicant (the national labels are officials' shorthand).
PLAIN_STATUS: dict[int, StrOrPromise] = {
    Status.SUBMITTED: _("Hồ sơ đã được gửi và đang chờ Bộ phận Một cửa tiếp nhận."),
    Status.RECEIVED: _("Hồ sơ đã được tiếp nhận và đang được chuyển đến cơ quan giải quyết."),
    Status.NOT_RECEIVED: _("Hồ sơ không được tiếp nhận. Lý do được nêu bên dưới."),
    Status.PROCESSING: _("Hồ sơ đang được cơ quan có thẩm quyền giải quyết."),
    Status.SUPPLEMENT_REQUESTED: _("Hồ sơ cần được bổ sung, hoàn thiện: xem nội dung cần bổ sung bên dưới."),
    Status.FINANCIAL_OBLIGATION: _(
        "Ông/bà cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính để hồ sơ được giải quyết tiếp."
    ),
    Status.WITHDRAWAL_REQUESTED: _("Đã ghi nhận yêu cầu rút hồ sơ của ông/bà."),
    Status.STOPPED: _("Việc giải quyết hồ sơ đã dừng. Lý do được nêu bên dưới."),
    Status.DONE: _("Đã có kết quả giải quyết. Mời ông/bà đến nhận kết quả."),
    Status.RETURNED: _("Đã trả kết quả cho ông/bà."),
}
#: Statuses after which the citizen may rate the handling.
RATEABLE = frozenset({Status.DONE, Status.RETURNED})
#: Statuses in which the dossier is still being handled (the appointment is what matters).
OPEN = frozenset(
    {
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.FINANCIAL_OBLIGATION,
        Status.WITHDRAWAL_REQUESTED,
    }
)
_LOOKUP_FIELDS = ("pk", "code", "applicant_id_number", "applicant_phone")


def find(code: str, factor: str) -> Dossier | None:
    """The dossier if ``code`` exists and ``factor`` is the last four digits of its applicant's identification
    number or phone; None otherwise, the same way whichever failed (one indexed query either way)."""
    dossier = Dossier.objects.filter(code=code.strip()).only(*_LOOKUP_FIELDS).first()
    if dossier is None:
        tracking.factor_matches(factor, id_number="000000000000", phone="0000000000")  # the same work
        return None
    if not tracking.factor_matches(factor, id_number=dossier.applicant_id_number, phone=dossier.applicant_phone):
        return None
    return dossier


# --- masking --------------------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" → "Nguyễn V. A.": the family name and initials, enough to recognise one's own."""
    words = (name or "").split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


def mask_digits(value: str, visible: int = 3) -> str:
    """ "001203004567" → "•••••••••567"."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    if not digits:
        return ""
    shown = digits[-visible:] if len(digits) > visible else ""
    return "•" * (len(digits) - len(shown)) + shown


# --- the page -------------------------------------------------------------------------------------------------


@dataclass
class Step:
    at: datetime
    label: StrOrPromise


@dataclass
class Collection:
    """Where and when the result is collected."""

    method: str
    place: Unit | None
    ready: bool  # the result waits at the desk
    due_at: datetime | None
    returned_at: datetime | None
    office_hours: str


@dataclass
class TrackedDossier:
    dossier: Dossier
    status_text: str
    applicant: str
    id_number: str
    phone: str
    timeline: list[Step]
    due_at: datetime | None
    new_due_at: datetime | None  # an apology-and-extension letter's date
    supplement: SupplementRequest | None
    reason: str  # of a refusal or a stop
    amount_due: int | None
    collection: Collection
    rating: Rating | None
    signed_results: list[tuple] | None = None  # (result, validation, tampered) of each result file signed here

    @property
    def rateable(self) -> bool:
        return self.dossier.status in RATEABLE

    @property
    def token(self) -> str:
        return tracking.token_for(self.dossier.code)


def _one_to_one(dossier: Dossier, name: str):
    """A reverse one-to-one row or None (its absence raises an AttributeError subclass)."""
    return getattr(dossier, name, None)


def office_hours_text() -> str:
    return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in get_calendar().office_hours)


def load(code: str) -> TrackedDossier | None:
    """Everything the tracking page shows about the dossier ``code``, in a handful of indexed queries."""
    dossier = (
        Dossier.objects.filter(code=code)
        .select_related(
            "procedure", "handling_unit", "receiving_unit", "reception__counter_unit", "apology_letter", "stop_notice"
        )
        .first()
    )
    if dossier is None:
        return None
    events = list(
        DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.STATUS, to_status__isnull=False)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "to_status", "reason")
    )
    timeline = [Step(at, Status(status).label) for at, status, _reason in events if status is not None]
    reason = ""
    notice = _one_to_one(dossier, "stop_notice")
    if dossier.status == Status.STOPPED and notice is not None:
        reason = notice.reason
    elif dossier.status == Status.NOT_RECEIVED:
        reason = next((r for _at, status, r in reversed(events) if status == Status.NOT_RECEIVED), "")
    supplement = dossier.supplement_requests.order_by("-requested_at", "-id").first()
    reception = _one_to_one(dossier, "reception")
    letter = _one_to_one(dossier, "apology_letter")
    returned = None
    if dossier.status == Status.RETURNED:
        returned = (
            DossierResult.objects.filter(dossier=dossier, delivered_at__isnull=False)
            .order_by("delivered_at")
            .values_list("delivered_at", flat=True)
            .first()
        )
    collection = Collection(
        method=(reception.result_delivery if reception is not None else "") or DeliveryMethod.DESK,
        place=(reception.counter_unit if reception is not None and reception.counter_unit_id else None)
        or dossier.receiving_unit
        or dossier.handling_unit,
        ready=dossier.status == Status.DONE,
        # The effective due instant (dossiers.rules, stored): a letter's new date, or NgayHenTra + supplement time.
        due_at=dossier.effective_due_at if dossier.status in OPEN else None,
        returned_at=returned,
        office_hours=office_hours_text(),
    )
    return TrackedDossier(
        dossier=dossier,
        status_text=str(PLAIN_STATUS.get(dossier.status, Status(dossier.status).label)),
        applicant=mask_name(dossier.applicant_name),
        id_number=mask_digits(dossier.applicant_id_number),
        phone=mask_digits(dossier.applicant_phone),
        timeline=timeline,
        due_at=dossier.due_at,
        new_due_at=letter.new_due_at if letter is not None else None,
        supplement=supplement,
        reason=reason,
        amount_due=fees_due(dossier) if dossier.status == Status.FINANCIAL_OBLIGATION else None,
        collection=collection,
        rating=Rating.objects.filter(dossier=dossier).order_by("-rated_at", "-pk").first()
        if dossier.status in RATEABLE
        else None,
        signed_results=signed_results(dossier),
    )


def signed_results(dossier: Dossier) -> list[tuple]:
    """The validation of every result file of the dossier (signer, organisation, time, intact or broken)."""
    rows = []
    for result in DossierResult.objects.filter(dossier=dossier, stored_file__isnull=False).select_related(
        "stored_file"
    ):
        assert result.stored_file is not None  # the filter's
        validation, tampered = file_services.validate_stored(result.stored_file)
        rows.append((result, validation, tampered))
    return rows
