"""The seven forms of Thông tư 03/2025/TT-VPCP (Phụ lục I) and the data each one prints.

Each builder reads the dossier's rows written by the lifecycle services (Reception,
SupplementRequest, ApologyLetter, StopNotice, DossierEvent …) and returns the template
context. Nothing here writes to the database.

Documented choices (process-rules.md §3):

* Paper size: one per form, the one that holds its content: forms 01–06 on A4 portrait, the paper of
  administrative documents (NĐ 30/2020/NĐ-CP Art. 8 and Phụ lục I: khổ A4) — on A5 a receipt with two
  components already ran onto a second page; 07, the tracking book, on A4 landscape (its twelve columns).
* Number ("Số: …/ký hiệu"): the dossier code, which the system issues uniquely (R4.1), followed by
  the form's symbol from QĐ 3621/QĐ-BYT (PBS, PTC, PXL, PKS, STD) and the unit's symbol
  (``Unit.extra["KyHieu"]``, default BPTNTKQ). A unit with its own document register passes
  ``number=``. The stop notice's symbol TBD is ours: its model text was NOT FOUND.
* Place in the date line: ``Unit.extra["DiaDanh"]``, else the province's name without "Tỉnh" /
  "Thành phố"; ``place=`` overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone, translation

from motcua.core.errors import UserError
from motcua.dossiers import rules
from motcua.dossiers.fees import fee_status
from motcua.dossiers.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    Status,
    StopNotice,
    SupplementRequest,
)
from motcua.org.models import Unit, UnitKind
from motcua.workdays.calendar import VN_TZ

from . import formats as fmt
from . import qr


@dataclass(frozen=True)
class FormSpec:
    number: str  # "01" … "07", the order of TT 03/2025 Phụ lục I as reported (§3.1)
    slug: str
    title: str  # printed in bold capitals
    name: str  # the document's name (QR payload, file names)
    symbol: str  # ký hiệu after the number, before the unit's symbol
    page: str  # CSS @page size
    body_class: str
    template: str


FORMS: dict[str, FormSpec] = {
    spec.number: spec
    for spec in (
        FormSpec(
            "01",
            "receipt",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "",
            "A4 portrait",
            "a4",
            "documents/01_receipt.html",
        ),
        FormSpec(
            "02",
            "supplement",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "PBS",
            "A4 portrait",
            "a4",
            "documents/02_supplement.html",
        ),
        FormSpec(
            "03",
            "refusal",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "PTC",
            "A4 portrait",
            "a4",
            "documents/03_refusal.html",
        ),
        # A văn bản (letter) of the handling agency, not a "phiếu": number, symbol and "V/v" (TT 03/2025 Mẫu 04).
        FormSpec(
            "04",
            "apology",
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "XL",
            "A4 portrait",
            "a4 letter",
            "documents/04_apology.html",
        ),
        FormSpec(
            "05",
            "stop",
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Thông báo dừng giải quyết hồ sơ",
            "TBD",
            "A4 portrait",
            "a4 letter",
            "documents/05_stop.html",
        ),
        FormSpec(
            "06",
            "control",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            "PKS",
            "A4 portrait",
            "a4",
            "documents/06_control.html",
        ),
        FormSpec(
            "07",
            "book",
            "SỔ THEO DÕI HỒ SƠ",
            "Sổ theo dõi hồ sơ",
            "STD",
            "A4 landscape",
            "book",
            "documents/07_book.html",
        ),
        # Not one of TT 03/2025's numbered forms: the desk's receipt of the hand-over, signed by whoever collects
        # the result (the applicant or the person they authorised), kept with the dossier.
        FormSpec(
            "TKQ",
            "return",
            "PHIẾU TRẢ KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
            "Phiếu trả kết quả giải quyết hồ sơ",
            "PTKQ",
            "A4 portrait",
            "a4",
            "documents/return_slip.html",
        ),
        # Not a form of TT 03/2025: the handling agency's written refusal after appraisal (R1.25).
        FormSpec(
            "TC",
            "refusal-decision",
            "VĂN BẢN TỪ CHỐI GIẢI QUYẾT HỒ SƠ",
            "Văn bản từ chối giải quyết hồ sơ",
            "TC",
            "A5 portrait",
            "a5 letter",
            "documents/refusal_decision.html",
        ),
    )
}
ALIASES = {spec.slug: spec.number for spec in FORMS.values()}


def form_spec(kind: str | int) -> FormSpec:
    """``"01"``, ``1``, ``"1"`` or ``"receipt"`` → the form's spec."""
    key = str(kind).strip().lower()
    key = ALIASES.get(key, key.zfill(2) if key.isdigit() else key)
    try:
        return FORMS[key]
    except KeyError:
        raise UserError(f"Không có biểu mẫu «{kind}».", f"unknown document kind {kind!r}") from None


# --- units and people -------------------------------------------------------------------------

#: The one-stop desk since NĐ 118/2025/NĐ-CP (Art. 7–8): the province's and each commune's public-service centre.
DESK = "Trung tâm phục vụ hành chính công"


COMMUNE_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")


def _without_kind(name: str, prefixes) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) or name.lower().startswith(prefix.lower()):
            return name[len(prefix) :]
    return name


def _commune(unit: Unit) -> Unit | None:
    for candidate in [unit, *unit.ancestors()]:
        if candidate.kind == UnitKind.COMMUNE:
            return candidate
    return None


def _province(unit: Unit) -> Unit | None:
    for candidate in [unit, *unit.ancestors()]:
        if candidate.kind == UnitKind.PROVINCE:
            return candidate
    return None


def place_name(unit: Unit) -> str:
    """Địa danh of the date line."""
    if unit.extra.get("DiaDanh"):
        return unit.extra["DiaDanh"]
    commune = _commune(unit)
    if commune is not None:  # NĐ 30/2020 Phụ lục I: a commune's documents carry the commune's own place name
        return _without_kind(commune.name, COMMUNE_PREFIXES)
    province = _province(unit) or unit
    name = province.name
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class IssuerLines(TypedDict):
    parent: str
    name: str
    lines: list[str]


def issuer_lines(unit: Unit) -> IssuerLines:
    """Tên cơ quan chủ quản (upper line) and tên cơ quan ban hành (bold line), in capitals."""
    parent = unit.extra.get("CoQuanChuQuan")
    if parent is None and unit.kind == UnitKind.PROVINCE:
        # The province receives through its public-service centre, a body of its People's Committee (NĐ 118/2025
        # Art. 7–8), and handles no dossier itself (intake.competent_units): what it issues is the centre's.
        return {"parent": f"ỦY BAN NHÂN DÂN {unit.name.upper()}", "name": DESK.upper(), "lines": [DESK.upper()]}
    if parent is None and unit.kind == UnitKind.COMMUNE:
        # NĐ 30/2020 Phụ lục I: a commune's People's Committee issues in its own name, written in full, with no
        # governing body above it ("ỦY BAN NHÂN DÂN / XÃ AN BÌNH").
        name = unit.name.upper()
        return {"parent": "", "name": f"ỦY BAN NHÂN DÂN {name}", "lines": ["ỦY BAN NHÂN DÂN", name]}
    if parent is None and unit.parent is not None:
        parent = unit.parent.name
        # A province or commune issues through its People's Committee (UBND tỉnh, UBND xã).
        if unit.parent.kind in (
            UnitKind.PROVINCE,
            UnitKind.COMMUNE,
            UnitKind.DISTRICT,
        ) and not parent.upper().startswith(("UBND", "ỦY BAN")):
            parent = f"UBND {parent}"
    return {"parent": (parent or "").upper(), "name": unit.name.upper(), "lines": [unit.name.upper()]}


def full_name(unit: Unit) -> str:
    """The issuer's name in the forms' sentences: the province's centre for the province (see issuer_lines)."""
    if unit.kind == UnitKind.PROVINCE and unit.extra.get("CoQuanChuQuan") is None:
        return f"{DESK} {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


def unit_symbol(unit: Unit) -> str:
    return unit.extra.get("KyHieu") or "BPTNTKQ"


def _receiving_unit(dossier: Dossier) -> Unit:
    reception = _reception(dossier)
    if reception is not None and reception.counter_unit_id:
        return reception.counter_unit
    return dossier.receiving_unit or dossier.handling_unit


def _reception(dossier: Dossier):
    try:
        return dossier.reception
    except ObjectDoesNotExist:
        return None


def _event(dossier: Dossier, action: str) -> DossierEvent | None:
    return dossier.events.filter(action=action).select_related("actor").order_by("-occurred_at", "-id").first()


def applicant(dossier: Dossier) -> dict[str, str]:
    return {
        "name": dossier.applicant_name or fmt.BLANK,
        "id_number": dossier.applicant_id_number or fmt.BLANK,
        "address": dossier.applicant_address or fmt.BLANK,
        "phone": dossier.applicant_phone or fmt.BLANK,
        "email": dossier.applicant_email,
    }


def time_limit_text(dossier: Dossier) -> str:
    """Thời hạn giải quyết the due instant was computed from: the legal case chosen at reception, else the
    version frozen at reception (R4.10), else the procedure's current value."""
    from motcua.catalog.models import DurationUnit

    case = dossier.case if dossier.case_id else None
    values = dossier.procedure_version.values if dossier.procedure_version is not None else {}
    limit: Decimal | None
    if case is not None and case.time_limit is not None:  # the legal case chosen at reception (R4.8)
        limit, unit = case.time_limit, case.time_unit or values.get("time_unit") or dossier.procedure.time_unit
    elif values.get("time_limit") is not None:
        limit, unit = values["time_limit"], values.get("time_unit")
    else:
        limit, unit = dossier.procedure.time_limit, dossier.procedure.time_unit
    if limit is None:
        return fmt.BLANK
    label = DurationUnit(unit).label if unit in DurationUnit.values else (unit or "")
    return f"{fmt.number(limit)} {label}".strip()


# --- common context ---------------------------------------------------------------------------


def _base(spec: FormSpec, dossier: Dossier | None, issuer: Unit, issued_at, overrides: dict) -> dict:
    issued_at = overrides.pop("issued_at", None) or issued_at
    place = overrides.pop("place", None) or place_name(issuer)
    number = overrides.pop("number", None) or (dossier.code if dossier is not None else fmt.BLANK)
    symbol = "-".join(part for part in (spec.symbol, unit_symbol(issuer)) if part)
    context = {
        "form": spec,
        "dossier": dossier,
        "issuer": issuer_lines(issuer),
        "unit_full_name": full_name(issuer),
        "number_text": f"Số: {number}/{symbol}",
        "place_date": fmt.place_and_date(place, issued_at),
        "issued_at": issued_at,
    }
    if dossier is not None:
        context.update(procedure=dossier.procedure, applicant=applicant(dossier))
        # The tracking page's address with a signed token: no personal data in the QR (R3.2).
        context["qr_payload"] = qr.tracking_url(dossier.code)
    return context


def _finish(context: dict, overrides: dict) -> dict:
    context.update(overrides)  # the caller has the last word on any printed value
    context["qr_uri"] = qr.svg_data_uri(context["qr_payload"])
    return context


# --- 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả --------------------------------------------------


def _component_form(component) -> str:
    if component.reused or component.from_citizen_store:
        return "Tái sử dụng dữ liệu điện tử"
    if component.digitized or component.has_file:
        return "Bản điện tử"
    return "Bản giấy"


def receipt_context(dossier: Dossier, **overrides) -> dict:
    """Mẫu 01: the receipt with the appointment (NgayHenTra) for a received dossier."""
    if dossier.received_at is None:
        raise UserError(
            "Hồ sơ chưa được tiếp nhận; chưa thể in giấy tiếp nhận.", f"receipt for unreceived {dossier.code}"
        )
    spec = FORMS["01"]
    reception = _reception(dossier)
    context = _base(spec, dossier, _receiving_unit(dossier), dossier.received_at, overrides)
    components = [{"name": c.name or c.component_code, "form": _component_form(c)} for c in dossier.components.all()]
    if not components and dossier.procedure_version is not None:
        components = [{"name": c.name, "form": f"{c.copies} bản"} for c in dossier.procedure_version.components.all()]
    officer = reception.received_by if reception is not None else None
    if officer is None and (event := _event(dossier, "receive")) is not None:
        officer = event.actor
    local_received = fmt.local(dossier.received_at)
    context.update(
        components=components,
        sets_count=reception.sets_count if reception is not None else 1,
        time_limit=time_limit_text(dossier),
        received_text=fmt.instant(dossier.received_at),
        due_text=fmt.instant(dossier.due_at),
        result_delivery=(reception.result_delivery if reception is not None else "") or DESK,
        # One book a year with a serial continuous through the year (R3.1): the dossier's rank among those
        # received at the same desk since 1 January (Mẫu 07 numbers its rows the same way).
        book_number=str(local_received.year),
        book_serial=str(year_serial(dossier)),
        officer_name=fmt.person(officer),
        principal=dossier.extra.get("principal"),
        fees=fees_context(dossier),
    )
    return _finish(context, overrides)


def fees_context(dossier: Dossier) -> dict | None:
    """The fee lines and what is true of their payment: still due ("phải nộp"), or paid ("đã nộp") only when a
    payment was recorded (:mod:`motcua.dossiers.fees`). None when the dossier has no fee line.

    Not an item of TT 03/2025's Mẫu 01 (items 1–6 are the form's): printed after them, unnumbered, so the
    applicant sees on the receipt what they owe or have paid."""
    status = fee_status(dossier)
    if not status.lines:
        return None
    rows = [{"name": line.name or line.code or fmt.BLANK, "amount": fmt.money(line.amount)} for line in status.lines]
    if status.due == 0:
        text = "Không phải nộp phí, lệ phí."
    elif status.paid_at is None:
        text = f"Phí, lệ phí phải nộp: {fmt.money(status.due)} (chưa nộp)."
    elif status.settled:
        text = f"Đã nộp: {fmt.money(status.paid)} ngày {fmt.day(status.paid_at)}."
    else:
        text = (
            f"Đã nộp: {fmt.money(status.paid)} ngày {fmt.day(status.paid_at)}; "
            f"còn phải nộp: {fmt.money(status.outstanding)}."
        )
    return {"rows": rows, "total": fmt.money(status.due), "text": text, "settled": status.settled}


# --- 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ --------------------------------------------------


def supplement_context(dossier: Dossier, *, supplement: SupplementRequest | None = None, **overrides) -> dict:
    """Mẫu 02, from a SupplementRequest (the latest one unless given)."""
    supplement = supplement or dossier.supplement_requests.order_by("-requested_at", "-id").first()
    if supplement is None:
        raise UserError("Hồ sơ chưa có yêu cầu bổ sung.", f"no supplement request on {dossier.code}")
    spec = FORMS["02"]
    issuer = (
        dossier.handling_unit if supplement.stage == SupplementRequest.Stage.APPRAISAL else _receiving_unit(dossier)
    )
    context = _base(spec, dossier, issuer, supplement.requested_at, overrides)
    officer = supplement.requested_by
    context.update(
        supplement=supplement,
        items=supplement.items,
        reason=supplement.reason or fmt.BLANK,
        received_text=fmt.instant(dossier.received_at) if dossier.received_at else fmt.instant(dossier.submitted_at),
        requested_text=fmt.instant(supplement.requested_at),
        officer_name=fmt.person(officer),
        contact_name=fmt.person(officer) or DESK.lower(),
        contact_phone=issuer.extra.get("DienThoai") or fmt.BLANK,
    )
    return _finish(context, overrides)


# --- 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ ------------------------------------------------


def refusal_context(dossier: Dossier, **overrides) -> dict:
    """Mẫu 03, the refusal of reception only (R1.24): the reason comes from ``reason=``, else the refuse_reception
    event. A refusal after appraisal is the agency's written refusal (:func:`refusal_decision_context`)."""
    event = _event(dossier, "refuse_reception")
    reason = overrides.pop("reason", None) or (event.reason if event else "")
    refused_at = event.occurred_at if event else None
    if not reason:
        raise UserError("Hồ sơ chưa bị từ chối tiếp nhận; phải có lý do từ chối.", f"no refusal on {dossier.code}")
    spec = FORMS["03"]
    refused_at = refused_at or timezone.now()
    context = _base(spec, dossier, _receiving_unit(dossier), refused_at, overrides)
    context.update(
        reason=reason,
        refused_text=fmt.instant(refused_at),
        officer_name=fmt.person(event.actor if event else None),
    )
    return _finish(context, overrides)


# --- 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết ----------------------------------


def apology_context(dossier: Dossier, *, letter: ApologyLetter | None = None, **overrides) -> dict:
    """Mẫu 04, from the dossier's ApologyLetter; signed by the head of the handling agency."""
    if letter is None:
        try:
            letter = dossier.apology_letter
        except ObjectDoesNotExist:
            raise UserError(
                "Hồ sơ chưa có văn bản xin lỗi và đề nghị gia hạn.", f"no apology letter on {dossier.code}"
            ) from None
    spec = FORMS["04"]
    context = _base(spec, dossier, dossier.handling_unit, letter.issued_at, overrides)
    context.update(
        letter=letter,
        subject="Xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",  # trích yếu (V/v), NĐ 30/2020
        received_day=fmt.day(dossier.received_at),
        # The appointment the letter moves: NgayHenTra plus the applicant's supplement time (rules.effective_due_at).
        due_text=fmt.instant(rules.effective_due_at(dossier, judged=True)),
        new_due_text=fmt.instant(letter.new_due_at),
        reason=letter.reason,
        officer_name=fmt.person(letter.signed_by),
    )
    return _finish(context, overrides)


# --- 05 Thông báo dừng giải quyết hồ sơ -----------------------------------------------------------


def _stop_notice(dossier: Dossier) -> StopNotice | None:
    try:
        return dossier.stop_notice
    except ObjectDoesNotExist:
        return None


def stop_context(dossier: Dossier, *, notice: StopNotice | None = None, **overrides) -> dict:
    """Mẫu 05, from the StopNotice: a withdrawal at the applicant's request (R1.30) or a stop at the agency's
    initiative, said apart on the notice (``by_applicant``). A refusal after appraisal is not a stop notice."""
    notice = notice or _stop_notice(dossier)
    if notice is None or notice.kind == StopNotice.Kind.REFUSAL:
        raise UserError("Hồ sơ chưa có thông báo dừng giải quyết.", f"no stop notice on {dossier.code}")
    spec = FORMS["05"]
    issuer = _receiving_unit(dossier)
    context = _base(spec, dossier, issuer, notice.issued_at, overrides)
    event = _event(dossier, "stop") or _event(dossier, "refuse_after_appraisal")
    context.update(
        notice=notice,
        received_text=fmt.instant(dossier.received_at),
        requested_text=fmt.instant(notice.requested_at) if notice.requested_at else "",
        stopped_text=fmt.instant(notice.issued_at),
        reason=notice.reason,
        return_place=f"{DESK} — {issuer.name}",
        officer_name=fmt.person(event.actor if event else None),
        by_applicant=notice.kind == StopNotice.Kind.WITHDRAWAL,
    )
    return _finish(context, overrides)


def _moved_due_text(dossier: Dossier) -> str:
    """The effective due instant when it is no longer the receipt's (a letter's new date, or supplement time):
    the value rules.effective_due_at stored on the row, so a book of many dossiers costs no query per row."""
    effective = dossier.effective_due_at
    return fmt.instant(effective) if effective is not None and effective != dossier.due_at else ""


def refusal_decision_context(dossier: Dossier, **overrides) -> dict:
    """Văn bản từ chối giải quyết hồ sơ: after appraisal the case is not eligible; the handling agency refuses in
    writing with its reasons, returned through the one-stop desk (NĐ 61/2018 Art. 19.8 as kept by NĐ 118/2025;
    process-rules.md R1.25). Neither Mẫu 03 (refusal of reception) nor Mẫu 05 (a stop)."""
    notice = _stop_notice(dossier)
    if notice is None or notice.kind != StopNotice.Kind.REFUSAL:
        raise UserError("Hồ sơ không bị từ chối giải quyết.", f"no refusal after appraisal on {dossier.code}")
    spec = FORMS["TC"]
    context = _base(spec, dossier, dossier.handling_unit, notice.issued_at, overrides)
    event = _event(dossier, "refuse_after_appraisal")
    context.update(
        notice=notice,
        reason=notice.reason,
        received_text=fmt.instant(dossier.received_at),
        refused_text=fmt.instant(notice.issued_at),
        return_place=f"{DESK} — {_receiving_unit(dossier).name}",
        officer_name=fmt.person(event.actor if event else None),
    )
    return _finish(context, overrides)


# --- 06 Phiếu kiểm soát quá trình giải quyết hồ sơ -------------------------------------------------

# Internal steps that are not a hand-over of the dossier: they stay off the control slip.
NOT_HANDOVERS = frozenset(
    {
        "pause",
        "resume",
        "issue_apology",
        "record_payment",
        "appraise",
        "propose_result",
        "reject_result",
        "propose_apology",
        "reject_apology",
    }
)


def step_outcome(at: datetime, due: datetime | None) -> str:
    """Result of a finished step, by the lifecycle's one rule (blank when the step had no deadline)."""
    from motcua.dossiers.services import step_outcome as lifecycle_step_outcome

    return lifecycle_step_outcome(at, due) or ""


@dataclass
class HandoverRow:
    giver: str
    receiver: str
    at: datetime
    outcome: str
    giver_person: str = ""
    note: str = ""

    @property
    def time_text(self) -> str:
        return fmt.instant(self.at)


def handover_rows(dossier: Dossier) -> list[HandoverRow]:
    """One row per hand-over (R1.19): desk → first step, step → step (``hand_off``, whose event
    carries ``previous_step_outcome``), to and from a consulted unit, last step → desk."""
    desk = f"{DESK} ({_receiving_unit(dossier).name})"
    unit_names: dict[str, str] = {}
    rows: list[HandoverRow] = []
    step, step_due = desk, None
    for event in dossier.events.select_related("actor").order_by("occurred_at", "id"):
        action = event.action
        if event.kind != DossierEvent.Kind.STEP and action not in ("start_processing", "finish"):
            continue
        if action in NOT_HANDOVERS:
            continue
        row = _handover_row(event, dossier, desk, step, step_due, unit_names)
        rows.append(row)
        if action in ("start_processing", "hand_off"):
            step, step_due = row.receiver, event.step_due_at
    return rows


def _handover_row(
    event: DossierEvent,
    dossier: Dossier,
    desk: str,
    step: str,
    step_due: datetime | None,
    unit_names: dict[str, str],
) -> HandoverRow:
    """The slip's row for one hand-over event, from the step holding the dossier before it."""
    action, data = event.action, event.data or {}
    person = fmt.person(event.actor)  # actor_label is a channel (web, portal), not a person
    if action == "start_processing":
        return HandoverRow(desk, data.get("step") or dossier.handling_unit.name, event.occurred_at, "", person)
    if action == "hand_off":
        outcome = data.get("previous_step_outcome") or step_outcome(event.occurred_at, step_due)
        return HandoverRow(
            data.get("from_step") or step,
            data.get("to_step") or "",
            event.occurred_at,
            outcome,
            person,
            event.reason if event.reason != "Chuyển bước xử lý" else "",
        )
    if action in ("consult", "answer_consultation"):
        return _consultation_row(event, data, step, person, unit_names)
    if action == "finish":
        return HandoverRow(
            step,
            desk,
            event.occurred_at,
            step_outcome(event.occurred_at, step_due),
            person,
            "Chuyển kết quả để trả",
        )
    # a step action added later: shown rather than silently dropped
    return HandoverRow(
        step,
        data.get("to_step") or "",
        event.occurred_at,
        data.get("previous_step_outcome") or "",
        person,
        event.reason,
    )


def _consultation_row(
    event: DossierEvent, data: dict, step: str, person: str, unit_names: dict[str, str]
) -> HandoverRow:
    """The row to (consult) or from (answer_consultation) a consulted unit, its name read once per unit."""
    code = data.get("unit", "")
    if code not in unit_names:
        unit_names[code] = Unit.objects.filter(code=code).values_list("name", flat=True).first() or code
    if event.action == "consult":
        return HandoverRow(step, unit_names[code], event.occurred_at, "", person, "Lấy ý kiến phối hợp")
    late = data.get("late")  # events recorded before "outcome" existed carry only this flag
    outcome = data.get("outcome") or ("" if late is None else ("quá hạn" if late else "đúng hạn"))
    return HandoverRow(unit_names[code], step, event.occurred_at, outcome, person, "Trả lời ý kiến phối hợp")


def control_context(dossier: Dossier, **overrides) -> dict:
    """Mẫu 06, printed now (or at ``issued_at``) from the event log."""
    spec = FORMS["06"]
    context = _base(spec, dossier, _receiving_unit(dossier), timezone.now(), overrides)
    consulted = sorted({c.unit.name for c in dossier.consultations.select_related("unit")})
    context.update(
        rows=handover_rows(dossier),
        lead_unit=dossier.handling_unit.name,
        coordinating_units=", ".join(consulted) or "Không",
        received_text=fmt.instant(dossier.received_at),
        due_text=fmt.instant(dossier.due_at),
        new_due_text=_moved_due_text(dossier),
    )
    return _finish(context, overrides)


# --- 07 Sổ theo dõi hồ sơ ---------------------------------------------------------------------------

BOOK_HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày, giờ trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
    "Ghi chú",
)
# % of the landscape line. The code column holds a full code (000.00.12.H26-260304-0001) on two lines, broken
# after its first hyphen; "Ký nhận" has room for a signature.
BOOK_WIDTHS = (3.5, 13.5, 11, 10.5, 10.5, 8, 8, 8, 8, 7, 6.5, 5.5)


@dataclass
class BookRow:
    index: int
    code: str
    procedure: str
    applicant: str
    address_phone: str
    lead_unit: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    delivery_method: str
    note: str

    @property
    def code_parts(self) -> list[str]:
        """The code cut after each hyphen: Unicode gives no line break between a hyphen and a digit."""
        return self.code.split("-")

    @property
    def received_text(self) -> str:
        return fmt.instant(self.received_at)

    @property
    def due_text(self) -> str:
        return fmt.instant(self.due_at)

    @property
    def returned_text(self) -> str:
        return fmt.instant(self.returned_at) if self.returned_at else ""


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=VN_TZ)


def _desk_dossiers(unit: Unit):
    return Dossier.objects.filter(Q(receiving_unit=unit) | Q(receiving_unit__isnull=True, handling_unit=unit))


def year_serial(dossier: Dossier) -> int:
    """Số thứ tự in the tracking book: 1 for the first dossier received at its desk this year, and so on
    through 31 December (not the code's daily sequence, which starts again every day)."""
    if dossier.received_at is None:  # the receipt checks this first; the book lists received dossiers only
        raise ValueError(f"dossier {dossier.code} is not received: it has no serial in the tracking book")
    local = fmt.local(dossier.received_at)
    unit = dossier.receiving_unit or dossier.handling_unit
    before = (
        _desk_dossiers(unit)
        .filter(received_at__gte=_day_start(date(local.year, 1, 1)))
        .filter(Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, code__lt=dossier.code))
    )
    return before.count() + 1


def book_dossiers(unit: Unit, date_from: date, date_to: date, *, field_code: str = ""):
    """Dossiers received at ``unit`` (its counter, or as handling unit with no separate counter)
    on local days ``date_from``…``date_to`` inclusive, in order of receipt."""
    if date_to < date_from:
        raise UserError("Ngày kết thúc phải sau ngày bắt đầu.", f"book period {date_from}..{date_to} reversed")
    qs = (
        _desk_dossiers(unit)
        .filter(received_at__gte=_day_start(date_from), received_at__lt=_day_start(date_to + timedelta(days=1)))
        .select_related("procedure", "handling_unit", "reception")
        .prefetch_related("results")
        .order_by("received_at", "code")
    )
    if field_code:
        qs = qs.filter(procedure__field_code=field_code)
    return qs


def _status_label(status: int) -> str:
    """A status as the book prints it: plain text (the label is a lazy translation), in Vietnamese
    whatever the reader's language, like the rest of the legal form."""
    with translation.override("vi"):
        return str(Status(status).label)


def book_rows(unit: Unit, date_from: date, date_to: date, *, field_code: str = "") -> list[BookRow]:
    rows = []
    # The serial runs through the year: a book printed from 1 June goes on from May's last number.
    first = 1
    if not field_code and (date_from.month, date_from.day) != (1, 1):
        first += (
            _desk_dossiers(unit)
            .filter(received_at__gte=_day_start(date(date_from.year, 1, 1)), received_at__lt=_day_start(date_from))
            .count()
        )
    for index, dossier in enumerate(book_dossiers(unit, date_from, date_to, field_code=field_code), start=first):
        delivered = [r for r in dossier.results.all() if r.delivered_at is not None]
        returned = min(delivered, key=lambda r: r.delivered_at) if delivered else None
        reception = _reception(dossier)
        notes = []
        if moved := _moved_due_text(dossier):
            notes.append(f"Hẹn lại: {moved}")
        if dossier.status in (Status.NOT_RECEIVED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED):
            notes.append(_status_label(dossier.status))
        rows.append(
            BookRow(
                index=index,
                code=dossier.code,
                procedure=dossier.procedure.name,
                applicant=dossier.applicant_name,
                address_phone="; ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p),
                lead_unit=dossier.handling_unit.name,
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                returned_at=returned.delivered_at if returned else None,
                delivery_method=(returned.delivery_method if returned else "")
                or (reception.result_delivery if reception else ""),
                note="; ".join(notes),
            )
        )
    return rows


def period_text(date_from: date, date_to: date) -> str:
    return f"Từ ngày {fmt.day(date_from)} đến ngày {fmt.day(date_to)}"


def book_context(unit: Unit, date_from: date, date_to: date, *, field_code: str = "", **overrides) -> dict:
    """Mẫu 07 for one unit and period (one book per field when ``field_code`` is given)."""
    spec = FORMS["07"]
    volume = overrides.pop("number", None) or str(date_from.year)
    context = _base(spec, None, unit, timezone.now(), overrides)
    context["number_text"] = f"Quyển số: {volume}"  # a book has a volume, not a document number
    field_name = ""
    if field_code:
        from motcua.catalog.models import Procedure

        field_name = (
            Procedure.objects.filter(field_code=field_code).values_list("field_name", flat=True).first() or field_code
        )
    context.update(
        unit=unit,
        rows=book_rows(unit, date_from, date_to, field_code=field_code),
        headers=BOOK_HEADERS,
        widths=[f"{w}%" for w in BOOK_WIDTHS],  # as text: the vi locale would print 3,5
        period_text=period_text(date_from, date_to),
        field_name=field_name,
        qr_payload=qr.build_payload(
            {
                "MAU": spec.number,
                "DV": unit.code,
                "TU": date_from.isoformat(),
                "DEN": date_to.isoformat(),
                "VB": spec.name,
            }
        ),
    )
    return _finish(context, overrides)


# --- Phiếu trả kết quả ------------------------------------------------------------------------------


def return_slip_context(dossier: Dossier, **overrides) -> dict:
    """The return slip, from the dossier's ResultHandover: who collected which results, when, how."""
    try:
        handover = dossier.handover
    except ObjectDoesNotExist:
        raise UserError(
            "Hồ sơ chưa trả kết quả; chưa thể in phiếu trả kết quả.", f"no handover on {dossier.code}"
        ) from None
    spec = FORMS["TKQ"]
    context = _base(spec, dossier, _receiving_unit(dossier), handover.collected_at, overrides)
    context.update(
        handover=handover,
        results=[r.title or r.code or "Kết quả giải quyết" for r in dossier.results.all()] or ["Kết quả giải quyết"],
        received_text=fmt.instant(dossier.received_at),
        due_text=fmt.instant(dossier.extended_due_at or dossier.due_at),
        collected_text=fmt.instant(handover.collected_at),
        collector_name=handover.collector_name or fmt.BLANK,
        collector_id_number=handover.collector_id_number or fmt.BLANK,
        officer_name=fmt.person(handover.handed_by),
    )
    return _finish(context, overrides)


BUILDERS = {
    "TKQ": return_slip_context,
    "01": receipt_context,
    "02": supplement_context,
    "03": refusal_context,
    "04": apology_context,
    "05": stop_context,
    "06": control_context,
    "TC": refusal_decision_context,
}
