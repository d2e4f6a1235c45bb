"""The public procedure catalogue: search without accents, filters, one procedure's published parts.

A province publishes about two thousand procedures. Their searchable text (code and name without
diacritics, :func:`motcua.dossiers.intake.normalize`) is held in the cache for a few minutes and
filtered in Python: the same on SQLite and PostgreSQL, a few milliseconds per search, no database
extension (``unaccent``) needed. The cache key carries a fingerprint of the catalogue (count, last
id, last version) so an import or a new version shows at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    ComponentSpec,
    DurationUnit,
    FeeSpec,
    OnlineService,
    OnlineServiceStatus,
    Procedure,
    ProcedureCase,
    PublicationItem,
    PublicationStatus,
)
from motcua.documents import formats as fmt
from motcua.dossiers.intake import normalize, procedures_for_unit
from motcua.org.models import Unit, UnitKind

CACHE_SECONDS = 300
#: Levels (cấp thực hiện) as the filter offers them, in the catalogue's order.
LEVELS = (("BO", _("Cấp bộ")), ("TINH", _("Cấp tỉnh")), ("HUYEN", _("Cấp huyện (trước 07/2025)")), ("XA", _("Cấp xã")))
#: Units a citizen submits to: the province, its departments and communes (districts ended 07/2025).
PUBLIC_UNIT_KINDS = (UnitKind.PROVINCE, UnitKind.DEPARTMENT, UnitKind.COMMUNE)
#: The national portal's page of a procedure, where its online service is started when the catalogue holds
#: no address of its own for the service (OnlineService.extra["DuongDan"]) *(practice: the portal's
#: public address pattern)*.
PORTAL_PROCEDURE_URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"


@dataclass(frozen=True)
class Entry:
    """One published procedure as the result list shows it."""

    pk: int
    code: str
    name: str
    field_code: str
    field_name: str
    levels: tuple[str, ...]
    text: str  # code and name without accents, lower case


def fingerprint() -> str:
    """The catalogue's state now (one aggregate query): pass it to the calls of one request."""
    return _fingerprint()


def _fingerprint() -> str:
    stats = Procedure.objects.aggregate(n=Count("pk"), last=Max("pk"), version=Max("current_version_id"))
    return f"{stats['n']}:{stats['last']}:{stats['version']}"


def _published():
    return Procedure.objects.exclude(publication_status=PublicationStatus.ABOLISHED)


#: This process's copy of the list for the current fingerprint, for as long as the shared cache keeps it:
#: reading it back from the (file) cache costs an unpickling of two thousand rows on every search.
_local: dict = {"fingerprint": None, "until": 0.0, "rows": None}


def clear_local() -> None:
    _local.update(fingerprint=None, until=0.0, rows=None)


def entries(fingerprint: str | None = None) -> list[Entry]:
    """Every published procedure, ordered by name without accents (cached)."""
    fingerprint = fingerprint or _fingerprint()
    if _local["fingerprint"] == fingerprint and time.monotonic() < _local["until"]:
        return _local["rows"]
    key = f"motcua:public-catalogue:{fingerprint}"
    rows = cache.get(key)
    if rows is None:
        rows = []
        for pk, code, name, field_code, field_name, *flags in _published().values_list(
            "pk", "code", "name", "field_code", "field_name", *Procedure.LEVEL_FIELDS.values()
        ):
            levels = tuple(level for level, flag in zip(Procedure.LEVEL_FIELDS, flags, strict=True) if flag)
            rows.append(Entry(pk, code, name, field_code, field_name, levels, normalize(f"{code} {name}")))
        rows.sort(key=lambda e: (normalize(e.name), e.code))
        cache.set(key, rows, CACHE_SECONDS)
    _local.update(fingerprint=fingerprint, until=time.monotonic() + CACHE_SECONDS, rows=rows)
    return rows


def unit_procedure_ids(unit: Unit, fingerprint: str | None = None) -> frozenset[int]:
    """The procedures ``unit`` (or a unit below it) handles, as the desk offers them (cached)."""
    fingerprint = fingerprint or _fingerprint()
    key = f"motcua:public-unit-procedures:{unit.pk}:{fingerprint}"
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(procedures_for_unit(unit).values_list("pk", flat=True))
        cache.set(key, ids, CACHE_SECONDS)
    return ids


def search(
    query: str = "", *, unit: Unit | None = None, field_code: str = "", level: str = "", fingerprint: str | None = None
) -> list[Entry]:
    """Procedures whose code or name contains every word of ``query`` (accents and case ignored).

    A code typed from its start ranks first ("1.0012" finds that procedure before names containing it).
    """
    fingerprint = fingerprint or _fingerprint()
    rows = entries(fingerprint)
    if unit is not None:
        ids = unit_procedure_ids(unit, fingerprint)
        rows = [e for e in rows if e.pk in ids]
    if field_code:
        rows = [e for e in rows if e.field_code == field_code]
    if level:
        rows = [e for e in rows if level in e.levels]
    words = normalize(query).split()
    if words:
        rows = [e for e in rows if all(w in e.text for w in words)]
        rows = sorted(rows, key=lambda e: not e.code.lower().startswith(words[0]))  # stable: names stay sorted
    return rows


def fields(unit: Unit | None = None, fingerprint: str | None = None) -> list[tuple[str, str]]:
    """(field code, field name) of the published procedures (of ``unit``), by name."""
    fingerprint = fingerprint or _fingerprint()
    rows = entries(fingerprint)
    if unit is not None:
        ids = unit_procedure_ids(unit, fingerprint)
        rows = [e for e in rows if e.pk in ids]
    seen = {}
    for e in rows:
        if e.field_code and e.field_code not in seen:
            seen[e.field_code] = e.field_name or e.field_code
    return sorted(seen.items(), key=lambda item: normalize(item[1]))


def public_units() -> list[tuple[str, str]]:
    """(code, name) of the units in force a citizen submits to, by kind then name (cached)."""
    stats = Unit.objects.aggregate(n=Count("pk"), last=Max("pk"))
    key = f"motcua:public-units:{stats['n']}:{stats['last']}:{timezone.localdate()}"
    units = cache.get(key)
    if units is None:
        order: dict[str, int] = {kind: i for i, kind in enumerate(PUBLIC_UNIT_KINDS)}
        rows = (
            Unit.objects.filter(kind__in=PUBLIC_UNIT_KINDS)
            .exclude(valid_to__lt=timezone.localdate())
            .values_list("code", "name", "kind")
        )
        units = [(code, name) for code, name, kind in sorted(rows, key=lambda r: (order[r[2]], normalize(r[1])))]
        cache.set(key, units, CACHE_SECONDS)
    return units


def public_unit(code: str) -> Unit | None:
    return (
        Unit.objects.filter(code=code, kind__in=PUBLIC_UNIT_KINDS)
        .exclude(valid_to__lt=timezone.localdate())
        .select_related("parent")
        .first()
    )


# --- one procedure --------------------------------------------------------------------------------------------


def limit_text(limit, unit: str) -> str:
    """ "5 ngày làm việc" (decimal comma)."""
    if limit is None or not unit:
        return ""
    label = DurationUnit(unit).label if unit in DurationUnit.values else unit
    return f"{fmt.number(limit)} {label}"


@dataclass
class CaseDetail:
    case: ProcedureCase | None  # None: what every case shares
    time_limit: str
    components: list[ComponentSpec] = field(default_factory=list)
    fees: list[FeeSpec] = field(default_factory=list)


@dataclass
class ServiceLink:
    service: OnlineService
    url: str


@dataclass
class ProcedureDetail:
    procedure: Procedure
    legal_basis: str
    time_limit: str
    common: CaseDetail
    cases: list[CaseDetail]
    competent_units: list[Unit]
    services: list[ServiceLink]
    decisions: list[tuple[str, date | None, str]]  # (number, date, unit name)

    @property
    def has_fees(self) -> bool:
        return bool(self.common.fees) or any(c.fees for c in self.cases)


def _service_url(service: OnlineService) -> str:
    url = (service.extra or {}).get("DuongDan") or ""
    if url.startswith(("https://", "http://")):
        return url
    return PORTAL_PROCEDURE_URL.format(code=service.procedure.code)


def procedure_detail(code: str, *, unit: Unit | None = None) -> ProcedureDetail | None:
    """The parts a published procedure shows (ND 63/2010 Art. 8.2); ``unit`` limits it to that unit's
    competence (the embed) and its online services."""
    procedure = _published().filter(code=code).select_related("current_version").first()
    if procedure is None or (unit is not None and procedure.pk not in unit_procedure_ids(unit)):
        return None
    version = procedure.current_version
    cases, common = [], CaseDetail(None, limit_text(procedure.time_limit, procedure.time_unit))
    if version is not None:
        by_case = {}
        for case in version.cases.order_by("code"):
            by_case[case.pk] = CaseDetail(case, limit_text(case.time_limit, case.time_unit) or common.time_limit)
        for spec in version.components.order_by("code", "pk"):
            (by_case[spec.case_id] if spec.case_id in by_case else common).components.append(spec)
        for fee in version.fees.order_by("code", "pk"):
            (by_case[fee.case_id] if fee.case_id in by_case else common).fees.append(fee)
        cases = list(by_case.values())
    today = timezone.localdate()
    services = (
        OnlineService.objects.filter(procedure=procedure, status=OnlineServiceStatus.PUBLISHED)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("unit", "procedure")
        .order_by("unit__name", "code")
    )
    if unit is not None:
        services = services.filter(unit__in=Unit.objects.filter(pk__in=_subtree(unit)))
    decisions = (
        PublicationItem.objects.filter(procedure=procedure)
        .select_related("decision__unit")
        .order_by("-decision__decided_on")[:5]
    )
    return ProcedureDetail(
        procedure=procedure,
        legal_basis=version.legal_basis if version is not None else "",
        time_limit=common.time_limit,
        common=common,
        cases=cases,
        competent_units=list(procedure.competent_units.order_by("name")),
        services=[ServiceLink(s, _service_url(s)) for s in services],
        decisions=[(i.decision.number, i.decision.decided_on, i.decision.unit.name) for i in decisions],
    )


def _subtree(unit: Unit):
    from motcua.org import tree

    return tree.subtree_ids(unit.pk)


#: Where a procedure of each level is submitted when the catalogue names no competent unit.
LEVEL_PLACES = {
    "BO": _("Bộ, ngành trung ương"),
    "TINH": _("Trung tâm Phục vụ hành chính công tỉnh hoặc Bộ phận Một cửa của sở, ban, ngành"),
    "HUYEN": _("Bộ phận Một cửa cấp huyện (trước 07/2025)"),
    "XA": _("Bộ phận Một cửa của Ủy ban nhân dân cấp xã"),
}
