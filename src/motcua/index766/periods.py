"""Scoring periods (interchange.md §2): ``2026``, ``2026-H1``, ``2026-Q3``, ``2026-08``.

Boundaries are local midnights in Asia/Ho_Chi_Minh; the evaluation instant
T = min(period end, as_of, now). The engine works on UTC-naive instants
(facts.py), so every boundary is also offered in that form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from motcua.core import dates
from motcua.core.errors import UserError

VN = ZoneInfo("Asia/Ho_Chi_Minh")

_PATTERNS = (
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-H([12])$"), "half"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
)


def to_utc_naive(value: datetime) -> datetime:
    """An aware instant -> the UTC-naive form the facts use. Naive input is local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN)
    return value.astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(value: datetime) -> datetime:
    """UTC-naive fact instant -> aware Asia/Ho_Chi_Minh."""
    return value.replace(tzinfo=UTC).astimezone(VN)


def parse_instant(value: str | datetime) -> datetime:
    """ISO 8601 text (bounded, see motcua.core.dates) or datetime -> aware datetime; no offset means +07:00."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=VN)
    return dates.parse_instant(value)


@dataclass(frozen=True)
class Period:
    code: str
    kind: str  # year | half | quarter | month
    year: int
    start_date: date  # first local day
    end_date: date  # first local day AFTER the period (exclusive)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.start_date, datetime.min.time(), tzinfo=VN)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_date, datetime.min.time(), tzinfo=VN)

    def months(self) -> list[str]:
        """Month codes covered by the period (for summing reference counts)."""
        out, d = [], self.start_date
        while d < self.end_date:
            out.append(f"{d.year:04d}-{d.month:02d}")
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return out

    def evaluation_instant(self, as_of: str | datetime | None = None, now: datetime | None = None) -> datetime:
        """T = min(period end, as_of, now), aware in Asia/Ho_Chi_Minh."""
        candidates = [self.end, parse_instant(now) if now else datetime.now(tz=VN)]
        if as_of is not None:
            candidates.append(parse_instant(as_of))
        t = min(candidates).astimezone(VN)
        if t < self.start:
            raise UserError(
                f"Kỳ {self.code} chưa bắt đầu tại thời điểm đánh giá {t.isoformat()}.",
                f"period {self.code} starts after the evaluation instant {t.isoformat()}",
            )
        return t


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def parse_period(code: str) -> Period:
    text = str(code).strip().upper()
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        if not dates.EARLIEST.year <= year <= dates.LATEST.year:  # the range every user date keeps to
            break
        if kind == "year":
            start, months = date(year, 1, 1), 12
        elif kind == "half":
            start, months = date(year, 6 * (int(m.group(2)) - 1) + 1, 1), 6
        elif kind == "quarter":
            start, months = date(year, 3 * (int(m.group(2)) - 1) + 1, 1), 3
        else:
            month = int(m.group(2))
            if not 1 <= month <= 12:
                break
            start, months = date(year, month, 1), 1
        return Period(text, kind, year, start, _add_months(start, months))
    raise UserError(
        f"Kỳ đánh giá không hợp lệ: {code!r}. Dùng 2026 (năm), 2026-H1 (6 tháng), 2026-Q3 (quý) hoặc 2026-08 (tháng).",
        f"invalid period {code!r}; expected YYYY, YYYY-H1|H2, YYYY-Q1..Q4 or YYYY-MM",
    )


@dataclass(frozen=True)
class Window:
    """A period with its evaluation instant, in the forms the engine needs."""

    period: Period
    t: datetime  # aware, Asia/Ho_Chi_Minh

    @property
    def start_utc(self) -> datetime:
        return to_utc_naive(self.period.start)

    @property
    def end_utc(self) -> datetime:
        return to_utc_naive(self.period.end)

    @property
    def t_utc(self) -> datetime:
        return to_utc_naive(self.t)

    @property
    def t_date(self) -> date:
        """Local date of T; a date-valued event counts if on or before it."""
        # T at exactly local midnight (period end) means the previous day is the last one.
        local = self.t.astimezone(VN)
        return (local - timedelta(microseconds=1)).date() if local.time() == datetime.min.time() else local.date()

    @property
    def start_date(self) -> date:
        return self.period.start_date


def make_window(period: str | Period, *, as_of: str | datetime | None = None, now: datetime | None = None) -> Window:
    p = period if isinstance(period, Period) else parse_period(period)
    return Window(p, p.evaluation_instant(as_of, now))
