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
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    ComponentSpec,
    Procedure,
    ProcedureCase,
    PublicationStatus,
    WorkflowStep,
)
from motcua.core.errors import UserError
from motcua.core.text import normalize
from motcua.org import tree
from motcua.org.models import Role, Unit, UnitKind

from . import services
from .models import Dossier, DossierComponent, Status

#: What a scan may be (TT 01/2023 digitisation: PDF or images).
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
SCAN_MAX_BYTES = 20 * 1024 * 1024

#: Procedure level a unit of each kind handles when the catalogue names no competent unit.
_LEVEL_OF_KIND = {
    UnitKind.MINISTRY: "level_ministry",
    UnitKind.PROVINCE: "level_province",
    UnitKind.DEPARTMENT: "level_province",  # departments handle the province-level procedures
    UnitKind.DISTRICT: "level_district",
    UnitKind.COMMUNE: "level_commune",
}
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
    CHOICES = [(DESK, _("Trực tiếp tại Bộ phận Một cửa")), (POST, _("Bưu chính công ích")),
               (ONLINE, _("Trực tuyến / kho dữ liệu"))]


# --- procedures a counter handles -------------------------------------------------------------


def procedures_for_unit(unit: Unit) -> QuerySet[Procedure]:
    """Procedures the unit (or a unit below it) handles, where the catalogue says so.

    A procedure naming its competent units (DonViThucHien) is offered only there;
    one naming none follows its levels (cấp thực hiện). Abolished procedures are left out.
    """
    subtree = tree.subtree_ids(unit.pk)
    kinds = set(Unit.objects.filter(pk__in=subtree).values_list("kind", flat=True))
    competent = Procedure.competent_units.through.objects.filter(procedure_id=OuterRef("pk"))
    by_level = Q()
    for kind in kinds:
        if kind in _LEVEL_OF_KIND:
            by_level |= Q(**{_LEVEL_OF_KIND[kind]: True})
    condition = Exists(competent.filter(unit_id__in=subtree))
    if by_level:
        condition |= ~Exists(competent) & by_level
    return Procedure.objects.filter(condition).exclude(publication_status=PublicationStatus.ABOLISHED)


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
        rows = procedures_for_unit(unit).order_by("code").values_list("pk", "code", "name", "field_name")
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


# --- people at the counter (the desk officer's own units: motcua.access.desk) --------------------


def specialists_of(unit: Unit):
    """Active specialists of ``unit`` (who may be given the first step)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, positions__unit=unit, positions__role=Role.SPECIALIST, positions__is_active=True,
    ).distinct().order_by("first_name", "username")


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
    """A scan must be a PDF or an image and not too large."""
    name = (upload.name or "").lower()
    if not name.endswith(SCAN_EXTENSIONS):
        raise UserError(
            f"Tệp «{upload.name}» không phải PDF hoặc ảnh (chấp nhận: {', '.join(SCAN_EXTENSIONS)}).",
            f"rejected upload {upload.name!r}: extension",
        )
    if upload.size and upload.size > SCAN_MAX_BYTES:
        raise UserError(
            f"Tệp «{upload.name}» vượt quá {SCAN_MAX_BYTES // (1024 * 1024)} MB.", f"rejected upload {upload.name!r}: size"
        )


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attach_components(dossier: Dossier, submissions: list[Submission]) -> list[DossierComponent]:
    """Record the components handed in; a scan is stored with its SHA-256 and ``digitized``.

    Call inside the action's transaction and a :class:`_FilesGuard`: files written
    before a later failure are removed again when the transaction rolls back.
    """
    created = []
    for item in submissions:
        component = DossierComponent(dossier=dossier, component_code=item.code, name=item.name[:500])
        if item.file is not None:
            validate_scan(item.file)
            component.file_sha256 = sha256_of(item.file)
            component.file.save(item.file.name, item.file, save=False)
            component.has_file = component.digitized = True
            if (written := _written_files.get()) is not None:
                written.append((component.file.storage, component.file.name))
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
            "Hồ sơ còn thiếu thành phần bắt buộc: " + "; ".join(result.missing_names)
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
        return Dossier(procedure=self.procedure, handling_unit=self.handling_unit, receiving_unit=self.receiving_unit,
                       channel=self.channel, case=self.case, summary=self.summary, **self.applicant)


def _check_unit(unit: Unit, at: datetime) -> None:
    if unit.valid_to and timezone.localtime(at).date() > unit.valid_to:
        raise UserError(f"Đơn vị {unit.code} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}.", f"unit {unit.code} expired")


def receive_at_counter(data: CounterDossier, submissions: list[Submission], *, actor, at: datetime | None = None) -> Dossier:
    """Tiếp nhận a complete paper dossier: code, NgayHenTra from the calendar, components with scans."""
    at = at or timezone.now()
    _require_complete(declared_components(data.procedure, data.case), submissions)
    with _FilesGuard(), transaction.atomic():
        dossier = services.receive(
            procedure=data.procedure, handling_unit=data.handling_unit, receiving_unit=data.receiving_unit,
            channel=data.channel, actor=actor, received_at=at, applicant=data.applicant, case=data.case,
            sets_count=data.sets_count, result_delivery=data.result_delivery, summary=data.summary,
        )
        attach_components(dossier, submissions)
    return dossier


def request_supplement_at_counter(data: CounterDossier, submissions: list[Submission], *, items: list[str],
                                  reason: str, actor, at: datetime | None = None) -> Dossier:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ for an incomplete paper dossier (status 5, not received).

    The dossier gets its code so the applicant can come back with what was missing; the
    components already handed in are kept.
    """
    at = at or timezone.now()
    _check_unit(data.handling_unit, at)
    with _FilesGuard(), transaction.atomic():
        request = services.request_supplement(data.unsaved(), items=items, reason=reason, actor=actor, at=at)
        attach_components(request.dossier, submissions)
    return request.dossier


def refuse_at_counter(data: CounterDossier, *, reason: str, actor, at: datetime | None = None) -> Dossier:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (status 3): the refusal is recorded with a code."""
    return services.refuse_reception(data.unsaved(), reason=reason, actor=actor, at=at)


# --- dossiers already registered (online, or back after a supplement) ---------------------------


def receive_registered(dossier: Dossier, submissions: list[Submission], *, actor, receiving_unit: Unit,
                       result_delivery: str = "", sets_count: int = 1, at: datetime | None = None) -> Dossier:
    """Tiếp nhận a dossier in status 1: an online one from the portal, or a paper one completed after a supplement."""
    if dossier.status != Status.SUBMITTED:
        raise UserError("Hồ sơ không ở trạng thái chờ tiếp nhận.", f"{dossier.code} is not in status 1")
    _require_complete(declared_components(dossier.procedure, dossier.case), submissions, present_codes(dossier))
    with _FilesGuard(), transaction.atomic():
        dossier = services.receive(
            procedure=dossier.procedure, handling_unit=dossier.handling_unit, channel=dossier.channel,
            actor=actor, received_at=at, receiving_unit=receiving_unit, dossier=dossier,
            sets_count=sets_count, result_delivery=result_delivery,
        )
        attach_components(dossier, submissions)
    return dossier


def request_supplement_registered(dossier: Dossier, *, items: list[str], reason: str, actor,
                                  submissions: list[Submission] = (), at: datetime | None = None) -> Dossier:
    with _FilesGuard(), transaction.atomic():
        services.request_supplement(dossier, items=items, reason=reason, actor=actor, at=at)
        attach_components(dossier, list(submissions))
    dossier.refresh_from_db()
    return dossier


def complete_supplement(dossier: Dossier, submissions: list[Submission], *, actor, at: datetime | None = None) -> Dossier:
    """The applicant brought what was missing (nhận hồ sơ bổ sung), with the new components and scans."""
    with _FilesGuard(), transaction.atomic():
        dossier = services.complete_supplement(dossier, actor=actor, at=at)
        attach_components(dossier, submissions)
    return dossier


def open_supplement(dossier: Dossier):
    return dossier.supplement_requests.filter(completed_at__isnull=True).order_by("-requested_at", "-id").first()


def hours_text(hours) -> str:
    """"còn 6,5 giờ làm việc" / "quá hạn 3 giờ" (Vietnamese decimal comma)."""
    if hours is None:
        return ""
    value = float(hours)
    amount = f"{abs(value):.1f}".rstrip("0").rstrip(".").replace(".", ",")
    if value < 0:
        return str(_("quá hạn %(hours)s giờ làm việc") % {"hours": amount})
    return str(_("còn %(hours)s giờ làm việc") % {"hours": amount})

