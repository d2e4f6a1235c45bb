"""Intake at the one-stop desk (tiếp nhận hồ sơ tại Bộ phận Một cửa).

What the desk needs around the lifecycle actions of :mod:`motcua.dossiers.services`:
which procedures a counter handles (and finding one by code or name without
accents), the components the procedure declares (thành phần hồ sơ), the
completeness check (kiểm tra tính đầy đủ), and the components handed in with
their scans (số hóa, R1.4) stored with a SHA-256 checksum.

Each ``*_at_counter`` / ``*_online`` function is one business action: the
service call and the components it brings are written in one transaction, so a
refusal leaves neither a dossier nor a file behind.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    ComponentSpec,
    FeeSpec,
    Procedure,
    ProcedureCase,
    PublicationStatus,
    WorkflowStep,
)
from motcua.catalog.versions import fees_of
from motcua.core.errors import UserError
from motcua.core.text import normalize
from motcua.files import checks
from motcua.files import services as file_services
from motcua.org import tree
from motcua.org.models import Role, Unit, UnitKind

from . import services
from .models import Dossier, DossierComponent, Status

#: What a scan may be (TT 01/2023 digitisation: PDF or images).
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")

#: Procedure level a unit of each kind handles when the catalogue names no competent unit. A province-level
#: procedure (cấp tỉnh) is handled by a department or provincial branch (sở, ban, ngành: kind SO), which appraises
#: it even where the decision is the Chairman's of the provincial People's Committee; the province node itself
#: receives (its Trung tâm phục vụ hành chính công, :data:`CENTRE_KINDS`) and handles nothing.
_LEVEL_OF_KIND = {
    UnitKind.MINISTRY: "level_ministry",
    UnitKind.DEPARTMENT: "level_province",
    UnitKind.DISTRICT: "level_district",
    UnitKind.COMMUNE: "level_commune",
}
#: NĐ 118/2025/NĐ-CP with the two-level local government (Luật Tổ chức chính quyền địa phương 2025): districts
#: end on 01/07/2025 and the procedures the catalogue still tags district level are done at the commune level.
TWO_LEVEL_FROM = date(2025, 7, 1)
_PICKER_CACHE_SECONDS = 300
#: Scans stored by the current action, deleted again if it fails (Django has no on_rollback hook).
_written_files: contextvars.ContextVar[list | None] = contextvars.ContextVar("motcua_intake_files", default=None)


class DeliveryMethod:
    """How a result reaches the applicant (hình thức nhận/trả kết quả, R1.1).

    The stored value is the Vietnamese wording printed on the receipt and in
    the tracking book, whatever the interface language.
    """

    DESK = "Trực tiếp tại Bộ phận Một cửa"
    POST = "Bưu chính công ích"
    ONLINE = "Trực tuyến / kho dữ liệu"
    CHOICES = [
        (DESK, _("Trực tiếp tại Bộ phận Một cửa")),
        (POST, _("Bưu chính công ích")),
        (ONLINE, _("Trực tuyến / kho dữ liệu")),
    ]


# --- procedures a counter handles -------------------------------------------------------------


def _levels_of(kind: str, day: date) -> list[str]:
    """The catalogue's level flags a unit of ``kind`` handles on ``day``: from 01/07/2025 a commune also does what
    is still tagged district level (the districts are gone, TWO_LEVEL_FROM)."""
    levels = [_LEVEL_OF_KIND[kind]] if kind in _LEVEL_OF_KIND else []
    if kind == UnitKind.COMMUNE and day >= TWO_LEVEL_FROM:
        levels.append("level_district")
    return levels


def procedures_for_unit(unit: Unit, day: date | None = None) -> QuerySet[Procedure]:
    """Procedures the unit (or a unit below it) handles, where the catalogue says so.

    A procedure naming its competent units (DonViThucHien) is offered only there;
    one naming none follows its levels (cấp thực hiện; district level → commune from
    01/07/2025). Abolished procedures are left out.
    """
    day = day or timezone.localdate()
    subtree = tree.subtree_ids(unit.pk)
    kinds = set(Unit.objects.filter(pk__in=subtree).values_list("kind", flat=True))
    competent = Procedure.competent_units.through.objects.filter(procedure_id=OuterRef("pk"))
    by_level = Q()
    for kind in kinds:
        for level in _levels_of(kind, day):
            by_level |= Q(**{level: True})
    condition = Exists(competent.filter(unit_id__in=subtree))
    if by_level:
        condition |= ~Exists(competent) & by_level
    return Procedure.objects.filter(condition).exclude(publication_status=PublicationStatus.ABOLISHED)


def province_of(unit: Unit) -> Unit:
    """The root of the unit's tree (the province, or a ministry)."""
    chain = tree.ancestor_ids(unit.pk)
    return Unit.objects.get(pk=chain[-1]) if chain else unit


#: Desks that are public-service centres (Trung tâm phục vụ hành chính công cấp tỉnh, cấp xã) under NĐ 118/2025:
#: they receive for the whole province. Another unit's own desk (a department's) receives its own procedures.
CENTRE_KINDS = frozenset({UnitKind.PROVINCE, UnitKind.COMMUNE})


def reception_scope(desk_unit: Unit) -> Unit:
    """The unit whose subtree a desk receives for: the province for a public-service centre, else the desk's unit."""
    return province_of(desk_unit) if desk_unit.kind in CENTRE_KINDS else desk_unit


def receivable_procedures(desk_unit: Unit, day: date | None = None) -> QuerySet[Procedure]:
    """Procedures a public-service centre receives: those of every competent unit in its province.

    NĐ 118/2025/NĐ-CP, in force 01/07/2025 (tiếp nhận hồ sơ không phụ thuộc vào địa giới hành chính trong tỉnh;
    process-rules.md, context; the article number is not verified): a commune's or the province's Trung tâm phục
    vụ hành chính công receives dossiers of any procedure handled in the province and routes each to its
    competent unit; the receiving unit (MaDonViTiepNhan) and the handling unit (MaDonVi) are recorded apart.
    """
    return procedures_for_unit(reception_scope(desk_unit), day)


def competent_units(procedure: Procedure, desk_unit: Unit, day: date | None = None) -> QuerySet[Unit]:
    """Units of the desk's province, in force on ``day``, that handle ``procedure`` (the choices of đơn vị xử lý)."""
    day = day or timezone.localdate()
    scope = tree.subtree_ids(reception_scope(desk_unit).pk)
    units = Unit.objects.filter(pk__in=scope).exclude(valid_to__lt=day).exclude(valid_from__gt=day)
    named = list(procedure.competent_units.values_list("pk", flat=True))
    if named:
        return units.filter(pk__in=named).order_by("code")
    kinds = [kind for kind in _LEVEL_OF_KIND if any(getattr(procedure, level) for level in _levels_of(kind, day))]
    return units.filter(kind__in=kinds).order_by("code")


@dataclass(frozen=True)
class ProcedureHit:
    pk: int
    code: str
    name: str
    field_name: str


def _picker_entries(unit: Unit) -> list[tuple[int, str, str, str, str]]:
    """(pk, code, name, field, normalized text) of the unit's procedures, cached a few minutes.

    The key carries a fingerprint of the catalogue (count, last id) so an import is
    seen at once; a renamed procedure shows up when the entry expires.
    """
    stats = Procedure.objects.aggregate(n=Count("pk"), last=Max("pk"))
    key = f"motcua:desk-procedures:{unit.pk}:{stats['n']}:{stats['last']}"
    entries = cache.get(key)
    if entries is None:
        rows = receivable_procedures(unit).order_by("code").values_list("pk", "code", "name", "field_name")
        entries = [(pk, code, name, fld, normalize(f"{code} {name}")) for pk, code, name, fld in rows]
        cache.set(key, entries, _PICKER_CACHE_SECONDS)
    return entries


def search_procedures(unit: Unit, query: str, limit: int = 20) -> list[ProcedureHit]:
    """Procedures of ``unit`` whose code or name contains every word of ``query`` (accents ignored).

    A code typed from its start ranks first, so "1.0012" finds that procedure before
    names that merely contain the digits.
    """
    words = normalize(query).split()
    if not words:
        return []
    hits = [e for e in _picker_entries(unit) if all(w in e[4] for w in words)]
    first = words[0]
    hits.sort(key=lambda e: (not e[1].startswith(first), e[1]))
    return [ProcedureHit(pk, code, name, fld) for pk, code, name, fld, _n in hits[:limit]]


def cases_of(procedure: Procedure | None) -> QuerySet[ProcedureCase]:
    """The trường hợp of the procedure's version in force."""
    if procedure is None or procedure.current_version_id is None:
        return ProcedureCase.objects.none()
    return ProcedureCase.objects.filter(version_id=procedure.current_version_id).order_by("code")


def declared_components(procedure: Procedure | None, case: ProcedureCase | None = None) -> list[ComponentSpec]:
    """The components the procedure's version in force declares: common ones and the case's own."""
    if procedure is None or procedure.current_version_id is None:
        return []
    specs = ComponentSpec.objects.filter(version_id=procedure.current_version_id)
    specs = specs.filter(Q(case__isnull=True) | Q(case=case)) if case is not None else specs.filter(case__isnull=True)
    return list(specs.order_by("code", "pk"))


def declared_fees(procedure: Procedure | None, case: ProcedureCase | None = None) -> list[FeeSpec]:
    """The phí, lệ phí the procedure's version in force declares: common ones and the case's own (R4.8)."""
    if procedure is None:
        return []
    return fees_of(procedure.current_version, case)


# --- people at the counter (the desk officer's own units: motcua.access.desk) --------------------


def specialists_of(unit: Unit):
    """Active specialists of ``unit`` (who may be given the first step)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            positions__unit=unit,
            positions__role=Role.SPECIALIST,
            positions__is_active=True,
        )
        .distinct()
        .order_by("first_name", "username")
    )


def first_step(dossier: Dossier) -> WorkflowStep | None:
    """The workflow step :func:`services.start_processing` will hand the dossier to."""
    return services.first_step(dossier)  # the service's own rule, so the page says what will happen


# --- components and the completeness check -------------------------------------------------------


@dataclass
class Submission:
    """One component handed in at the counter: a declared one (``spec``) or another paper."""

    name: str
    code: str = ""
    spec: ComponentSpec | None = None
    file: UploadedFile | None = None


@dataclass
class Completeness:
    """Result of kiểm tra tính đầy đủ against the declared components."""

    declared: list[ComponentSpec]
    submitted_codes: set[str]
    missing: list[ComponentSpec] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_names(self) -> list[str]:
        return [spec.name for spec in self.missing]


def check_completeness(declared: list[ComponentSpec], submitted_codes) -> Completeness:
    """Which mandatory declared components have not been handed in (by component code)."""
    codes = set(submitted_codes)
    missing = [spec for spec in declared if spec.required and spec.code not in codes]
    return Completeness(declared=declared, submitted_codes=codes, missing=missing)


def validate_scan(upload: UploadedFile) -> None:
    """The cheap checks a form can make (name, size); the content is checked by :mod:`motcua.files.checks`."""
    name = (upload.name or "").lower()
    if not name.endswith(SCAN_EXTENSIONS):
        raise UserError(
            f"Tệp «{upload.name}» không phải PDF hoặc ảnh (chấp nhận: {', '.join(SCAN_EXTENSIONS)}).",
            f"rejected upload {upload.name!r}: extension",
        )
    if upload.size and upload.size > checks.max_bytes():
        raise UserError(
            f"Tệp «{upload.name}» vượt quá {checks.max_bytes() // (1024 * 1024)} MB.",
            f"rejected upload {upload.name!r}: size",
        )


def attach_components(
    dossier: Dossier, submissions: list[Submission], *, actor=None, at: datetime | None = None
) -> list[DossierComponent]:
    """Record the components handed in; a scan is checked, stored by content, and ``digitized`` (DuocSoHoa).

    The scan's real type is read from its bytes, a PDF must parse, an image becomes a PDF
    (:mod:`motcua.files.checks`); a refused file raises :class:`~motcua.core.errors.UserError`
    and the caller's transaction leaves the dossier as it was. Only a file that passed the
    checks marks a component digitized (4.2).
    """
    created = []
    at = at or timezone.now()
    person = actor if getattr(actor, "is_authenticated", False) else None
    # A component handed in again (the corrected or missing paper after a supplement request) replaces the
    # one on file with the same code: the dossier lists each component once, with its latest scan.
    on_file = {c.component_code: c for c in dossier.components.exclude(component_code="")} if dossier.pk else {}
    for item in submissions:
        component = on_file.get(item.code) if item.code else None
        if component is None:
            component = DossierComponent(dossier=dossier, component_code=item.code, name=item.name[:500])
        elif item.file is None:
            continue  # ticked again without a new scan: already on file
        if item.file is not None:
            stored, checked = file_services.store_upload(item.file)
            component.stored_file, component.file_sha256 = stored, stored.sha256
            component.original_name = checked.original_name
            component.uploaded_by, component.uploaded_at = person, at
            component.has_file = component.digitized = True
        component.save()
        created.append(component)
    if any(c.digitized for c in created) and not dossier.has_digitized_component:
        Dossier.objects.filter(pk=dossier.pk).update(has_digitized_component=True)
        dossier.has_digitized_component = True
    return created


class _FilesGuard:
    """Deletes the scans written inside the block if the block raises (their rows roll back with it)."""

    def __enter__(self):
        self.token = _written_files.set([])
        return self

    def __exit__(self, exc_type, exc, tb):
        written = _written_files.get() or []
        _written_files.reset(self.token)
        if exc_type is not None:
            for storage, name in written:
                storage.delete(name)
        return False


def present_codes(dossier: Dossier) -> set[str]:
    return set(dossier.components.exclude(component_code="").values_list("component_code", flat=True))


def _require_complete(declared, submissions, have=()) -> None:
    result = check_completeness(declared, {s.code for s in submissions if s.code} | set(have))
    if not result.complete:
        raise UserError(
            "Hồ sơ còn thiếu thành phần bắt buộc: "
            + "; ".join(result.missing_names)
            + ". Hãy yêu cầu bổ sung hoặc từ chối tiếp nhận.",
            f"reception refused: {len(result.missing)} mandatory components missing",
            code="incomplete",
        )


# --- outcomes at the counter (paper dossiers: in person or by post) ------------------------------


@dataclass
class CounterDossier:
    """What the officer typed for a paper dossier that has no row yet."""

    procedure: Procedure
    handling_unit: Unit
    receiving_unit: Unit
    channel: int
    case: ProcedureCase | None = None
    applicant: dict = field(default_factory=dict)
    summary: str = ""
    sets_count: int = 1
    result_delivery: str = ""

    def unsaved(self) -> Dossier:
        return Dossier(
            procedure=self.procedure,
            handling_unit=self.handling_unit,
            receiving_unit=self.receiving_unit,
            channel=self.channel,
            case=self.case,
            summary=self.summary,
            **self.applicant,
        )


def _check_unit(unit: Unit, at: datetime) -> None:
    if unit.valid_to and timezone.localtime(at).date() > unit.valid_to:
        raise UserError(f"Đơn vị {unit.code} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}.", f"unit {unit.code} expired")


def receive_at_counter(
    data: CounterDossier, submissions: list[Submission], *, actor, at: datetime | None = None
) -> Dossier:
    """Tiếp nhận a complete paper dossier: code, NgayHenTra from the calendar, components with scans."""
    at = at or timezone.now()
    _require_complete(declared_components(data.procedure, data.case), submissions)
    with _FilesGuard(), transaction.atomic():
        dossier = services.receive(
            procedure=data.procedure,
            handling_unit=data.handling_unit,
            receiving_unit=data.receiving_unit,
            channel=data.channel,
            actor=actor,
            received_at=at,
            applicant=data.applicant,
            case=data.case,
            sets_count=data.sets_count,
            result_delivery=data.result_delivery,
            summary=data.summary,
        )
        attach_components(dossier, submissions, actor=actor, at=at)
    return dossier


def request_supplement_at_counter(
    data: CounterDossier,
    submissions: list[Submission],
    *,
    items: list[str],
    reason: str,
    actor,
    at: datetime | None = None,
) -> Dossier:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ for an incomplete paper dossier (status 5, not received).

    The dossier gets its code so the applicant can come back with what was missing; the
    components already handed in are kept.
    """
    at = at or timezone.now()
    _check_unit(data.handling_unit, at)
    with _FilesGuard(), transaction.atomic():
        request = services.request_supplement(data.unsaved(), items=items, reason=reason, actor=actor, at=at)
        attach_components(request.dossier, submissions, actor=actor, at=at)
    return request.dossier


def refuse_at_counter(data: CounterDossier, *, reason: str, actor, at: datetime | None = None) -> Dossier:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (status 3): the refusal is recorded with a code."""
    return services.refuse_reception(data.unsaved(), reason=reason, actor=actor, at=at)


# --- dossiers already registered (online, or back after a supplement) ---------------------------


def receive_registered(
    dossier: Dossier,
    submissions: list[Submission],
    *,
    actor,
    receiving_unit: Unit,
    result_delivery: str = "",
    sets_count: int = 1,
    at: datetime | None = None,
) -> Dossier:
    """Tiếp nhận a dossier in status 1: an online one from the portal, or a paper one completed after a supplement."""
    if dossier.status != Status.SUBMITTED:
        raise UserError("Hồ sơ không ở trạng thái chờ tiếp nhận.", f"{dossier.code} is not in status 1")
    _require_complete(declared_components(dossier.procedure, dossier.case), submissions, present_codes(dossier))
    with _FilesGuard(), transaction.atomic():
        dossier = services.receive(
            procedure=dossier.procedure,
            handling_unit=dossier.handling_unit,
            channel=dossier.channel,
            actor=actor,
            received_at=at,
            receiving_unit=receiving_unit,
            dossier=dossier,
            sets_count=sets_count,
            result_delivery=result_delivery,
        )
        attach_components(dossier, submissions, actor=actor, at=at)
    return dossier


def request_supplement_registered(
    dossier: Dossier,
    *,
    items: list[str],
    reason: str,
    actor,
    submissions: list[Submission] = (),
    at: datetime | None = None,
) -> Dossier:
    with _FilesGuard(), transaction.atomic():
        services.request_supplement(dossier, items=items, reason=reason, actor=actor, at=at)
        attach_components(dossier, list(submissions), actor=actor, at=at)
    dossier.refresh_from_db()
    return dossier


def complete_supplement(
    dossier: Dossier, submissions: list[Submission], *, actor, at: datetime | None = None
) -> Dossier:
    """The applicant brought what was missing (nhận hồ sơ bổ sung), with the new components and scans."""
    with _FilesGuard(), transaction.atomic():
        dossier = services.complete_supplement(dossier, actor=actor, at=at)
        attach_components(dossier, submissions, actor=actor, at=at)
    return dossier


def open_supplement(dossier: Dossier):
    return dossier.supplement_requests.filter(completed_at__isnull=True).order_by("-requested_at", "-id").first()


def hours_text(hours) -> str:
    """ "còn 6,5 giờ làm việc" / "quá hạn 3 giờ" (Vietnamese decimal comma)."""
    if hours is None:
        return ""
    value = float(hours)
    amount = f"{abs(value):.1f}".rstrip("0").rstrip(".").replace(".", ",")
    if value < 0:
        return str(_("quá hạn %(hours)s giờ làm việc") % {"hours": amount})
    return str(_("còn %(hours)s giờ làm việc") % {"hours": amount})
