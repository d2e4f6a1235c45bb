"""What the 766 scoreboard shows (bảng điểm Bộ chỉ số 766), read from stored snapshots.

The pages never score the province inside a request (DESIGN.md: "Dashboards read
stored snapshots, not live scans"): rankings, group scores and the trend come from
:class:`~motcua.index766.models.IndicatorSnapshot` in one or two queries. Only the
drill-downs — the records that lost points (``explain``), the points at risk
(``forecast``) and the late-dossier list — run the engine on the database facts,
for one unit, bounded and cached for a short while (``CACHE_SECONDS``).

Snapshots are written by ``motcua worker`` (the current periods, every few
minutes), by ``motcua snapshots`` (any period) and by ``motcua demo``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.index766.engine import BANDS, band
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.periods import VN, Period, parse_period
from motcua.index766.registry import GROUPS, get_formula_set
from motcua.org.models import Unit, UnitKind

logger = logging.getLogger("motcua.scoreboard")

FORMULA_SET = "portal-2026"
GROUP_CODES = tuple(GROUPS)
#: The six groups' short names as officials say them (column headers); the full name is the header's title.
GROUP_SHORT_NAMES = {
    "CKMB": "Công khai",
    "TDGQ": "Tiến độ",
    "CLGQ": "DVC trực tuyến",
    "TTTT": "Thanh toán",
    "MDHL": "Hài lòng",
    "MDSH": "Số hóa",
}
#: Ranking tables: departments and communes apart (a local convention, index-766.md §4).
RANKED_KINDS = (
    (UnitKind.DEPARTMENT.value, _("Sở, ban, ngành")),
    (UnitKind.COMMUNE.value, _("Xã, phường, đặc khu")),
    (UnitKind.DISTRICT.value, _("Huyện (trước 07/2025)")),
)
SORT_KEYS = ("total", *GROUP_CODES)
BAND_NAMES = (*(name for _floor, name in BANDS), "Yếu")
#: Drill-downs (explain, forecast, late dossiers) are recomputed at most this often per key.
CACHE_SECONDS = getattr(settings, "MOTCUA_SCOREBOARD_CACHE_SECONDS", 60)
#: An explanation lists at most this many records (the province's 2.1 can have thousands).
MAX_RECORDS = 5000
BAND_CSS = {
    "Xuất sắc": "band-xuat-sac",
    "Tốt": "band-tot",
    "Khá": "band-kha",
    "Trung bình": "band-trung-binh",
    "Yếu": "band-yeu",
}


def formula_set():
    return get_formula_set(FORMULA_SET)


# --------------------------------------------------------------------------- periods


def default_period(today: date | None = None) -> str:
    """The current month (Asia/Ho_Chi_Minh)."""
    today = today or timezone.localdate()
    return f"{today:%Y-%m}"


def resolve_period(code: str | None) -> Period:
    """The period of ``?period=`` (default: this month); a bad code raises a Vietnamese UserError."""
    return parse_period((code or "").strip() or default_period())


QUARTERS = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def num_text(value) -> str:
    """An integer in the Vietnamese way: 12.345."""
    return f"{int(value):,}".replace(",", ".")


def period_label(period: Period) -> str:
    """As officials write periods: «Tháng 12/2026», «Quý IV/2026»."""
    if period.kind == "month":
        return f"{_('Tháng')} {period.start_date.month}/{period.year}"
    if period.kind == "quarter":
        return f"{_('Quý')} {QUARTERS[period.code[-1]]}/{period.year}"
    if period.kind == "half":
        first = period.code.endswith("1")
        return f"{_('6 tháng đầu năm') if first else _('6 tháng cuối năm')} {period.year}"
    return f"{_('Năm')} {period.year}"


def period_choices(year: int) -> list[tuple[str, str]]:
    """The selector's options for ``year``: months, quarters, halves, the year."""
    codes = [f"{year}-{m:02d}" for m in range(1, 13)] + [f"{year}-Q{q}" for q in range(1, 5)]
    codes += [f"{year}-H1", f"{year}-H2", str(year)]
    return [(c, period_label(parse_period(c))) for c in codes]


def periods_of_year(
    year: int, kinds: tuple[str, ...] = ("month", "quarter", "half", "year"), today: date | None = None
) -> list[str]:
    """Every period of ``year`` of the given kinds that has started by ``today``."""
    today = today or timezone.localdate()
    codes = []
    if "month" in kinds:
        codes += [f"{year}-{m:02d}" for m in range(1, 13)]
    if "quarter" in kinds:
        codes += [f"{year}-Q{q}" for q in range(1, 5)]
    if "half" in kinds:
        codes += [f"{year}-H1", f"{year}-H2"]
    if "year" in kinds:
        codes.append(str(year))
    return [c for c in codes if parse_period(c).start_date <= today]


def period_window(period: Period, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, min(end, now)) of the period, aware."""
    now = now or timezone.now()
    return period.start, min(period.end, now.astimezone(VN))


# --------------------------------------------------------------------------- the board


@dataclass
class UnitRow:
    """One unit's total, band and six group scores for a period (from its stored tuples)."""

    unit_id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    groups: dict[str, Decimal]
    total: Decimal = Decimal(0)
    rank: int | None = None
    #: At least one indicator had records to count in the period (a denominator above zero).
    has_data: bool = True
    #: The unit ended (abolished, merged) before the period began: shown, not ranked.
    ended: bool = False

    @property
    def rankable(self) -> bool:
        return self.has_data and not self.ended

    @property
    def band(self) -> str:
        return band(self.total)

    @property
    def band_css(self) -> str:
        return BAND_CSS.get(self.band, "")

    def group_list(self) -> list[tuple[str, Decimal]]:
        return [(g, self.groups.get(g, Decimal(0))) for g in GROUP_CODES]


@dataclass
class Board:
    period: Period
    rows: list[UnitRow]
    computed_at: datetime | None
    as_of: datetime | None
    group_max: dict[str, Decimal] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def province(self) -> UnitRow | None:
        roots = [r for r in self.rows if r.kind == UnitKind.PROVINCE]
        return min(roots, key=lambda r: (r.parent_id is not None, r.code)) if roots else None

    def of_kind(self, kind: str) -> list[UnitRow]:
        return [r for r in self.rows if r.kind == kind]

    def unit(self, code: str) -> UnitRow | None:
        return next((r for r in self.rows if r.code == code), None)


def _zero() -> Decimal:
    return Decimal("0.00")


def board(period: Period) -> Board:
    """Every scored unit's groups and total for ``period``, cached until the period's tuples are stored again."""
    from motcua.index766 import snapshots

    key = f"scoreboard:board:{FORMULA_SET}:{period.code}:{snapshots.version(period.code, FORMULA_SET)}"
    cached = cache.get(key)
    if cached is None:
        cached = _board(period)
        cache.set(key, cached, 3600)
    return cached


def _board(period: Period) -> Board:
    """One aggregate query over the stored tuples."""
    rows = (
        IndicatorSnapshot.objects.filter(period=period.code, formula_set=FORMULA_SET)
        .values("unit_id", "unit__code", "unit__name", "unit__kind", "unit__parent_id", "unit__valid_to", "group")
        .annotate(
            score=Sum("score"),
            max_points=Sum("max_points"),
            computed_at=Max("computed_at"),
            as_of=Max("as_of"),
            counted=Max("denominator"),
        )
        .order_by()
    )
    units: dict[int, UnitRow] = {}
    computed_at = as_of = None
    group_max: dict[str, Decimal] = {}
    for r in rows:
        row = units.get(r["unit_id"])
        if row is None:
            row = units[r["unit_id"]] = UnitRow(
                r["unit_id"],
                r["unit__code"],
                r["unit__name"],
                r["unit__kind"],
                r["unit__parent_id"],
                {g: _zero() for g in GROUP_CODES},
                has_data=False,
            )
            ended = r["unit__valid_to"]
            row.ended = ended is not None and ended < period.start_date
        row.has_data = row.has_data or bool(r["counted"] and r["counted"] > 0)
        row.groups[r["group"]] = Decimal(r["score"] or 0).quantize(Decimal("0.01"))
        group_max[r["group"]] = max(group_max.get(r["group"], Decimal(0)), Decimal(r["max_points"] or 0))
        computed_at = max(filter(None, (computed_at, r["computed_at"])), default=None)
        as_of = max(filter(None, (as_of, r["as_of"])), default=None)
    for row in units.values():
        row.total = sum(row.groups.values(), Decimal(0))
    for g, (_name, points) in GROUPS.items():
        group_max.setdefault(g, Decimal(str(points)))
    return Board(period, sorted(units.values(), key=lambda r: r.code), computed_at, as_of, group_max)


def ranked(rows: list[UnitRow], sort: str = "total", descending: bool = True) -> list[UnitRow]:
    """Rows ordered by ``sort`` (total or a group code) with competition ranks (1, 2, 2, 4).

    A unit with nothing to count in the period ("không có dữ liệu") and a unit that ended before it began are
    not ranked: they follow the ranked ones, without a rank, whatever the order asked for."""
    sort = sort if sort in SORT_KEYS else "total"

    def key(r: UnitRow) -> Decimal:
        return r.total if sort == "total" else r.groups.get(sort, Decimal(0))

    ordered = sorted((r for r in rows if r.rankable), key=lambda r: (-key(r), r.code))
    previous, rank = None, 0
    for index, r in enumerate(ordered, start=1):
        if key(r) != previous:
            rank, previous = index, key(r)
        r.rank = rank
    unranked = sorted((r for r in rows if not r.rankable), key=lambda r: r.code)
    for r in unranked:
        r.rank = None
    return (ordered if descending else list(reversed(ordered))) + unranked


def filter_rows(rows: list[UnitRow], q: str = "", band_name: str = "") -> list[UnitRow]:
    q = q.strip().casefold()
    if q:
        rows = [r for r in rows if q in r.code.casefold() or q in r.name.casefold()]
    if band_name:
        rows = [r for r in rows if r.band == band_name]
    return rows


def trend(period: Period, unit_id: int) -> dict[str, Any]:
    """The unit's total and groups over the months of the period's year (None where not stored)."""
    months = [f"{period.year}-{m:02d}" for m in range(1, 13)]
    rows = (
        IndicatorSnapshot.objects.filter(unit_id=unit_id, period__in=months, formula_set=FORMULA_SET)
        .values("period", "group")
        .annotate(score=Sum("score"))
        .order_by()
    )
    scores: dict[str, dict[str, float]] = {}
    for r in rows:
        scores.setdefault(r["period"], {})[r["group"]] = round(float(r["score"] or 0), 2)
    data = {
        "labels": [f"{m[5:]}/{m[:4]}" for m in months],
        "periods": months,
        "total": [round(sum(scores[m].values()), 2) if m in scores else None for m in months],
        "groups": [
            {
                "code": g,
                "name": str(GROUPS[g][0]),
                "max": GROUPS[g][1],
                "values": [scores[m].get(g, 0.0) if m in scores else None for m in months],
            }
            for g in GROUP_CODES
        ],
    }
    return data


# --------------------------------------------------------------------------- one unit


@dataclass
class IndicatorRow:
    code: str
    name: str
    group: str
    numerator: float | None
    denominator: float | None
    ratio: float | None
    score: Decimal | None
    max_points: Decimal
    target: float | None
    note: str
    explanation: str
    computed_at: datetime | None = None
    as_of: datetime | None = None
    ratio_kind: str = "fraction"
    has_records: bool = True
    #: scored at the province (or ministry) only, as the portal does (3.1, interchange.md §4.1):
    #: this unit's 0 is not a point it lost
    province_only: bool = False

    @property
    def lost(self) -> Decimal:
        if self.province_only:
            return Decimal(0)
        return self.max_points - (self.score or Decimal(0))


def rule_notes(indicator: str | None = None) -> list[dict]:
    """Where the stored scores follow the portal's rules and differ from the written decision
    (interchange.md §4.1), all or those that change ``indicator``: the pages say so."""
    from motcua.index766.snapshots import stored_rules

    return stored_rules(indicator)


def unit_indicators(period: Period, unit: Unit) -> list[IndicatorRow]:
    """Every stored indicator tuple of ``unit`` for ``period``, in the formula set's order: one query."""
    from motcua.index766.database import DEFAULT_SWITCHES
    from motcua.index766.registry import resolve_switches

    from .texts import explanation

    fs = formula_set()
    switches = resolve_switches(DEFAULT_SWITCHES)  # those the stored tuples were scored under
    order = {i.code: n for n, i in enumerate(fs.indicators)}
    snapshots = IndicatorSnapshot.objects.filter(unit=unit, period=period.code, formula_set=FORMULA_SET)
    out = []
    for s in sorted(snapshots, key=lambda s: order.get(s.indicator, 999)):
        province_only = False
        try:
            ind = fs.get(s.indicator)
            name, ratio_kind, has_records = ind.name, ind.ratio_kind, ind.records is not None
            # Not scored at this level: the engine leaves numerator and denominator empty.
            province_only = (
                ind.anchored is not None and ind.anchored(switches) and s.numerator is None and s.denominator is None
            )
        except KeyError:
            name, ratio_kind, has_records = s.indicator, "fraction", False
        out.append(
            IndicatorRow(
                s.indicator,
                name,
                s.group,
                s.numerator,
                s.denominator,
                s.ratio,
                s.score,
                s.max_points,
                s.target,
                s.note,
                explanation(s.indicator),
                s.computed_at,
                s.as_of,
                ratio_kind,
                has_records and not province_only,
                province_only,
            )
        )
    return out


def _database_facts():
    from motcua.index766.database import database_facts

    return database_facts()


class LiveDataUnavailable(Exception):
    """The m766_* relations are missing or unreadable (never refreshed on this database)."""


def _live(fn, *args: Any, **kwargs: Any) -> Any:
    try:
        facts = _database_facts()
    except Exception as exc:  # noqa: BLE001 - any backend's "no such table"
        logger.warning("766 database facts unavailable: %s", exc)
        raise LiveDataUnavailable(str(exc)) from exc
    try:
        return fn(facts, *args, **kwargs)
    finally:
        facts.con.disconnect()


def _cached(key: str, compute, *, refresh: bool = False) -> tuple[Any, datetime, float]:
    """(value, computed at, seconds it took) — from the cache when fresh (``refresh``: recompute anyway)."""
    hit = None if refresh else cache.get(key)
    if hit is not None:
        return hit
    started = time.perf_counter()
    value = compute()
    entry = (value, timezone.now(), round(time.perf_counter() - started, 3))
    cache.set(key, entry, CACHE_SECONDS)
    return entry


@dataclass
class LostRecord:
    record: str
    record_kind: str
    unit: str
    points: float
    step: str | None
    official: str | None


def lost_records(period: Period, unit_code: str, code: str) -> tuple[list[LostRecord], datetime, float]:
    """The records of ``unit_code`` that cost points on ``code`` (engine ``explain``), cached."""
    from motcua.index766.database import DEFAULT_SWITCHES
    from motcua.index766.explain import explain

    def compute() -> list[LostRecord]:
        records = _live(
            lambda facts: explain(
                facts, period.code, unit_code, code, formula_set=FORMULA_SET, switches=DEFAULT_SWITCHES
            )
        )
        records.sort(key=lambda r: (-r.points, r.unit, r.record))
        return [
            LostRecord(r.record, r.record_kind, r.unit, r.points, r.step, r.official) for r in records[:MAX_RECORDS]
        ]

    return _cached(f"scoreboard:explain:{FORMULA_SET}:{period.code}:{unit_code}:{code}", compute)


@dataclass
class RiskRow:
    record: str
    record_kind: str
    unit: str
    indicators: list[str]
    points: float
    deadline: datetime | None
    working_hours_left: float | None


def is_open(period: Period, now: datetime | None = None) -> bool:
    """Whether the period has not ended yet (only then can points still be lost)."""
    return (now or timezone.now()) < period.end


def points_at_risk(period: Period, unit_code: str) -> tuple[dict[str, Any], datetime, float]:
    """The engine's ``forecast`` for one unit: points at risk and the records behind them, cached."""
    from motcua.index766.database import DEFAULT_SWITCHES
    from motcua.index766.forecast import forecast

    def compute() -> dict[str, Any]:
        fc = _live(
            lambda facts: forecast(
                facts, period.code, units=[unit_code], formula_set=FORMULA_SET, switches=DEFAULT_SWITCHES
            )
        )
        items = [
            RiskRow(i.record, i.record_kind, i.unit, i.indicators, i.points, i.deadline, i.working_hours_left)
            for i in fc.items
            if i.unit == unit_code
        ][:MAX_RECORDS]
        try:
            at_risk = float(fc.points_at_risk(unit_code))
        except KeyError:
            at_risk = 0.0
        return {"points": at_risk, "items": items}

    return _cached(f"scoreboard:forecast:{FORMULA_SET}:{period.code}:{unit_code}", compute)


#: The unit page lists at most this many dossiers not yet on the portal (the count is exact).
UNSYNCED_LIST = 20
#: Indicators a dossier not yet acknowledged by the portal costs (3.3 is multiplied by 1.4's ratio).
SYNC_INDICATORS = ("1.4", "3.3")


@dataclass
class Unsynced:
    count: int
    codes: list[str]  # the first UNSYNCED_LIST, longest waiting first


def unsynced_dossiers(
    period: Period, unit: Unit, *, limit: int = UNSYNCED_LIST, now: datetime | None = None
) -> Unsynced:
    """Dossiers of ``unit`` and its subtree received in the period and not yet acknowledged by the portal.

    Each lowers 1.4 (and 3.3 through it) until the portal acknowledges it (NgayDongBo). A plain
    query on the (handling_unit, received_at) index, not the engine: cheap enough for every request.
    """
    from motcua.dossiers.models import Dossier
    from motcua.org import tree

    start, end = period_window(period, now)
    rows = Dossier.objects.filter(
        handling_unit_id__in=sorted(tree.subtree_ids(unit.pk)),
        received_at__gte=start,
        received_at__lt=end,
        synced_at__isnull=True,
    )
    codes = list(rows.order_by("received_at", "pk").values_list("code", flat=True)[:limit])
    return Unsynced(len(codes) if len(codes) < limit else rows.count(), codes)


#: The unit page lists at most this many late complaints (the counts are exact).
LATE_COMPLAINTS_LIST = 20
#: Indicators a complaint past its deadline costs (handled on time; received, minus late ones).
COMPLAINT_INDICATORS = ("5.2", "5.3")


@dataclass
class LateComplaints:
    count: int  # open and past the deadline that runs (answer, or publication)
    codes: list[str]  # the first LATE_COMPLAINTS_LIST, the longest overdue first
    due_soon: int  # open, turning late within one working day


def late_complaints(unit: Unit, *, limit: int = LATE_COMPLAINTS_LIST, now: datetime | None = None) -> LateComplaints:
    """Open complaints of ``unit`` and its subtree past their running deadline, and those about to be.

    Each counts late on 5.2 (and comes off 5.3 once received in the period) however it ends, so the
    sooner it is answered and published the fewer others follow it. Plain queries on the complaints'
    stored running deadline (``Complaint.due_at``, feedback.deadlines), not the engine.
    """
    from motcua.feedback.lifecycle import OPEN_STATUSES
    from motcua.feedback.models import Complaint
    from motcua.org import tree
    from motcua.workdays.services import get_calendar

    now = now or timezone.now()
    rows = Complaint.objects.filter(
        unit_id__in=sorted(tree.subtree_ids(unit.pk)), status__in=OPEN_STATUSES, due_at__isnull=False
    )
    late = rows.filter(due_at__lt=now)
    codes = list(late.order_by("due_at", "pk").values_list("code", flat=True)[:limit])
    count = len(codes) if len(codes) < limit else late.count()
    try:
        horizon = get_calendar().add_working_hours(now, get_calendar().hours_per_day)
    except ValueError:  # outside the calendar's years
        return LateComplaints(count, codes, 0)
    return LateComplaints(count, codes, rows.filter(due_at__gte=now, due_at__lt=horizon).count())


# --------------------------------------------------------------------------- late dossiers


@dataclass
class LateDossier:
    code: str
    unit: str
    due_at: datetime | None
    finished_at: datetime | None
    hours_late: float | None
    status: int | None


def _late_dossiers(facts, period: Period, unit_code: str | None) -> list[LateDossier]:
    """Dossiers counted overdue by 2.1 in ``period``: the engine's own records, with their instants."""
    from motcua.index766.context import Context
    from motcua.index766.database import DEFAULT_SWITCHES
    from motcua.index766.periods import from_utc_naive, make_window
    from motcua.index766.registry import resolve_switches
    from motcua.workdays.services import get_calendar

    window = make_window(period)
    ctx = Context(facts, window, resolve_switches(DEFAULT_SWITCHES))
    try:
        rec = formula_set().get("2.1").records(ctx)
        rec = rec.filter(~rec.ok.fill_null(False))
        if unit_code:
            t = facts.unit_tree
            sub = t.filter(t.ancestor == unit_code).select(sub=t.descendant)
            rec = rec.join(sub, rec.unit == sub.sub)
        d = facts.dossiers.select(k="MaHoSo", due="due_effective", done="finished_at", st="TrangThaiHoSo")
        j = rec.join(d, rec.record == d.k).select("unit", "record", "due", "done", "st")
        df = facts.con.execute(j)
        s = facts.dossier_supplements
        ids = rec.select(sk=rec.record).distinct()
        supp = facts.con.execute(s.join(ids, s.MaHoSo == ids.sk).select("MaHoSo", "NgayYeuCau", "NgayBoSung"))
    finally:
        ctx.close()
    if df.empty:
        return []
    t_utc = np.datetime64(window.t_utc.replace(microsecond=0), "us")
    # The effective due instant (dossiers.rules.effective_due_at, judged): NgayHenTra + the completed supplements.
    req = pd.to_datetime(supp["NgayYeuCau"]).astype("datetime64[us]")
    back = pd.to_datetime(supp["NgayBoSung"]).astype("datetime64[us]")
    completed = back.notna() & (back <= t_utc) & (req <= t_utc)
    shift = (back - req)[completed].groupby(supp["MaHoSo"][completed]).sum()
    due = pd.to_datetime(df["due"]).astype("datetime64[us]")
    offsets = pd.to_timedelta([shift.get(code, pd.Timedelta(0)) for code in df["record"]])
    due = due + offsets.astype("timedelta64[us]").to_numpy()
    done = pd.to_datetime(df["done"]).astype("datetime64[us]")
    # Late up to the finish, or to T while still open (a finish after T is not known at T).
    end = done.where(done.notna() & (done <= t_utc), t_utc)
    hours = pd.Series(np.nan, index=df.index)
    ok = due.notna()
    if ok.any():
        cal = get_calendar()
        hours[ok] = cal.working_hours_between_batch(due[ok].to_numpy(), end[ok].to_numpy())
    out = []
    for i, r in enumerate(df.itertuples(index=False)):
        h = hours.iloc[i]
        out.append(
            LateDossier(
                r.record,
                r.unit,
                None if pd.isna(due.iloc[i]) else from_utc_naive(due.iloc[i].to_pydatetime()),
                None if pd.isna(done.iloc[i]) or done.iloc[i] > t_utc else from_utc_naive(done.iloc[i].to_pydatetime()),
                None if pd.isna(h) else round(float(h), 2),
                None if pd.isna(r.st) else int(r.st),
            )
        )
    out.sort(key=lambda x: (-(x.hours_late or 0), x.unit, x.code))
    return out


def late_dossiers(
    period: Period, unit_code: str | None, *, refresh: bool = False
) -> tuple[list[LateDossier], datetime, float]:
    key = f"scoreboard:late:{FORMULA_SET}:{period.code}:{unit_code or '*'}"
    # Cached as plain tuples: a province-wide month has thousands of rows, and every request reads them back
    # from the shared cache (tuples unpickle several times faster than dataclass instances).
    rows, computed_at, seconds = _cached(
        key, lambda: [astuple(r) for r in _live(_late_dossiers, period, unit_code)], refresh=refresh
    )
    return [LateDossier(*r) for r in rows], computed_at, seconds


def warm_current_lists(today: date | None = None) -> None:
    """Recompute the province-wide late list of the current month into the shared cache (worker task),
    so the page everyone opens first never pays for it."""
    period = resolve_period(default_period(today))
    late_dossiers(period, None, refresh=True)


def responsible_for(codes: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Dossier code -> (step, official) answerable for its lateness (index766.responsibility)."""
    from motcua.index766.responsibility import responsible_for as compute

    return compute(codes)


def late_officials(period: Period, unit: Unit | None, now: datetime | None = None):
    """Officials whose processing steps ran late in the period (index766.responsibility), worst first."""
    from motcua.index766.responsibility import late_officials as compute
    from motcua.org import tree

    start, end = period_window(period, now)
    unit_ids = sorted(tree.subtree_ids(unit.pk)) if unit is not None else None
    return compute(unit_ids, start, end)


# --------------------------------------------------------------------------- publications


@dataclass
class PublicationRow:
    item_id: int
    decision_number: str
    decided_on: date | None
    kind: str
    unit_code: str
    unit_name: str
    procedure_code: str
    procedure_name: str
    basis_effective_on: date | None
    decision_deadline: date | None
    decision_on_time: bool | None
    publish_deadline: datetime | None  # exclusive: local midnight after the 5th working day
    published_at: datetime | None
    working_days_left: float | None  # to publish_deadline, while not yet published
    publish_on_time: bool | None

    @property
    def publish_last_day(self) -> date | None:
        """The last local day to publish (the deadline instant is the midnight after it)."""
        if self.publish_deadline is None:
            return None
        return (self.publish_deadline.astimezone(VN) - timedelta(microseconds=1)).date()


PUBLICATION_STATES = ("pending", "late", "all")


def publications(
    state: str = "pending", unit: Unit | None = None, q: str = "", now: datetime | None = None
) -> list[PublicationRow]:
    """Procedures of publication decisions with their 1.1 and 1.2 deadlines (quyết định công bố, công khai).

    1.1: the decision is due 5 working days before its legal basis takes effect;
    1.2: the procedure must be published (công khai) within 5 working days of the decision
    (index-766.md §2.1). ``pending``: not yet published, nearest deadline first;
    ``late``: decided or published late; ``all``: every item, newest decision first.
    """
    from motcua.catalog.models import PublicationItem
    from motcua.index766.derive import publication_deadlines
    from motcua.index766.periods import from_utc_naive
    from motcua.org import tree
    from motcua.workdays.services import get_calendar

    now = now or timezone.now()
    qs = PublicationItem.objects.select_related("decision", "decision__unit", "procedure").order_by()
    if state == "pending":
        qs = qs.filter(published_at__isnull=True)
    if unit is not None:
        qs = qs.filter(decision__unit_id__in=tree.subtree_ids(unit.pk))
    if q.strip():
        from django.db.models import Q

        text = q.strip()
        qs = qs.filter(
            Q(procedure__code__icontains=text)
            | Q(procedure__name__icontains=text)
            | Q(decision__number__icontains=text)
        )
    items = list(qs)
    cal = get_calendar()
    kinds = ["ministry" if i.decision.unit.kind == UnitKind.MINISTRY else "province" for i in items]
    decision_due, publish_due = publication_deadlines(
        cal, [i.decision.decided_on for i in items], [i.basis_effective_on for i in items], kinds
    )
    rows = []
    for item, dec, pub in zip(items, decision_due, publish_due, strict=True):
        pub_at = from_utc_naive(pub) if pub is not None else None
        decided = item.decision.decided_on
        left = None
        if pub_at is not None and item.published_at is None:
            left = round(cal.working_days_between(now, pub_at), 1)
        rows.append(
            PublicationRow(
                item.pk,
                item.decision.number,
                decided,
                item.decision.get_kind_display(),
                item.decision.unit.code,
                item.decision.unit.name,
                item.procedure.code,
                item.procedure.name,
                item.basis_effective_on,
                dec,
                None if dec is None or decided is None else decided <= dec,
                pub_at,
                item.published_at,
                left,
                None
                if pub_at is None
                else (item.published_at <= pub_at if item.published_at else (now < pub_at or None)),
            )
        )
    if state == "late":
        rows = [
            r
            for r in rows
            if r.decision_on_time is False
            or r.publish_on_time is False
            or (r.published_at is None and r.working_days_left is not None and r.working_days_left < 0)
        ]
    if state == "all":
        rows.sort(key=lambda r: (r.decided_on or date.min, r.decision_number), reverse=True)
    else:
        far = datetime.max.replace(tzinfo=VN)
        rows.sort(key=lambda r: (r.publish_deadline or far, r.decision_number, r.procedure_code))
    return rows


# --------------------------------------------------------------------------- computing snapshots


def compute_snapshots(periods: list[str], *, refresh: bool = True, progress=None) -> dict[str, int]:
    """Score the database for each period and store the tuples; rows stored per period.

    The facts are refreshed once (not per period). Must run outside a transaction
    (Ibis reads committed data through its own connection).
    """
    from motcua.index766.database import refresh_database_facts, score_database
    from motcua.index766.snapshots import store

    if refresh:
        refresh_database_facts()
    stored = {}
    for code in periods:
        started = time.perf_counter()
        stored[code] = store(score_database(code, refresh=False))
        if progress is not None:
            progress(code, stored[code], time.perf_counter() - started)
    return stored


def snapshot_periods_present(codes: list[str]) -> set[str]:
    return set(
        IndicatorSnapshot.objects.filter(formula_set=FORMULA_SET, period__in=codes)
        .values_list("period", flat=True)
        .distinct()
    )
