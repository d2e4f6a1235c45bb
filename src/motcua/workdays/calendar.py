"""Working-day arithmetic for deadlines (process-rules.md §2, interchange.md §3–4). No Django.

The calendar is a *working-time clock*: ``clock(t)`` is the number of working microseconds between
the start of the calendar range and ``t``. It is precomputed per day (``cum[d]`` = working time
before day ``d``), so that

- adding N working hours is ``inverse(clock(start) + N h)`` — a bisect on ``cum``;
- the working time between two instants is ``clock(b) - clock(a)``.

The clock is flat over closed periods (nights, lunch, days off). Two inverses are used: the
*leftmost* instant reaching a clock value (a due instant: ends at a closing time, "07:00 + 1 ngày
làm việc = 17:00 the same day") and the *rightmost* one (the next opening). Every result is thus
never strictly inside a closed period.

Viet Nam has kept UTC+07:00 without daylight saving since 1975, so local wall time and elapsed time
agree inside the range (which must start after 1975).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DURATION_UNITS = ("ngay_lam_viec", "gio_lam_viec", "ngay")
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_FIRST_YEAR = 2000
DEFAULT_LAST_YEAR = 2045

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86_400 * US
_UTC_OFFSET_US = 7 * HOUR_US
_EPOCH_NAIVE = datetime(1970, 1, 1)


def _time_us(t: time) -> int:
    if t.tzinfo is not None:
        raise ValueError("office hours and cut-off must be naive local times")
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US + t.microsecond


def _amount_us(amount: float, scale: int) -> int:
    if not math.isfinite(amount):
        raise ValueError(f"duration amount must be finite, got {amount!r}")
    if amount < 0:
        raise ValueError(f"duration amount must not be negative, got {amount!r}")
    return round(amount * scale)


class WorkCalendar:
    """Working days and office hours over ``first_year``..``last_year`` (inclusive).

    A day is a working day when it is Mon–Fri and not in ``non_working``, or when it is in
    ``working_weekend_days`` (làm bù). ``office_hours`` are sorted, disjoint (start, end) local
    times; their total is the length of one ngày làm việc (8 h by default, R2.6).

    Instants outside the range raise ``ValueError``.
    """

    def __init__(
        self,
        non_working: Iterable[date],
        working_weekend_days: Iterable[date],
        office_hours: Sequence[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
    ):
        if not 1976 <= first_year <= last_year <= 9998:
            raise ValueError(f"invalid calendar range {first_year}..{last_year} (must be within 1976..9998)")
        self._non_working = frozenset(non_working)
        self._working_weekend = frozenset(working_weekend_days)
        clash = self._non_working & self._working_weekend
        if clash:
            raise ValueError(f"dates both off and working: {sorted(clash)[:5]}")
        self.office_hours = tuple((a, b) for a, b in office_hours)
        self._iv = tuple((_time_us(a), _time_us(b)) for a, b in self.office_hours)
        if not self._iv:
            raise ValueError("office hours must not be empty")
        prev_end = -1
        for a, b in self._iv:
            if not prev_end <= a < b:
                raise ValueError("office hours must be sorted, non-overlapping (start, end) pairs")
            prev_end = b
        # Within-day cumulative working time at each interval start, and the day's total.
        ic = [0]
        for a, b in self._iv:
            ic.append(ic[-1] + b - a)
        self._ic = tuple(ic)
        self._day_work_us = ic[-1]
        self.hours_per_day = self._day_work_us / HOUR_US
        self._opens = tuple(a for a, _ in self._iv)
        self._last_close = self._iv[-1][1]

        self.first_year, self.last_year = first_year, last_year
        self._first_date = date(first_year, 1, 1)
        self._base_ordinal = self._first_date.toordinal()
        n = date(last_year, 12, 31).toordinal() - self._base_ordinal + 1
        self._n = n
        self._base_dt = datetime(first_year, 1, 1, tzinfo=VN_TZ)
        # Epoch µs of the range start (local midnight), for the numpy API.
        self._base_epoch_us = (datetime(first_year, 1, 1) - _EPOCH_NAIVE) // timedelta(microseconds=1) - _UTC_OFFSET_US

        working = []
        cum = [0]
        for i in range(n):
            d = self._first_date + timedelta(days=i)
            w = self.is_working_day(d)
            working.append(w)
            cum.append(cum[-1] + (self._day_work_us if w else 0))
        self._working = working
        self._cum = cum
        self._working_np = np.array(working, dtype=bool)
        self._cum_np = np.array(cum, dtype=np.int64)
        self._ic_np = np.array(ic, dtype=np.int64)
        self._opens_np = np.array(self._opens, dtype=np.int64)

    # ------------------------------------------------------------------ construction

    @classmethod
    def official(cls, office_hours: Sequence[tuple[time, time]] = DEFAULT_OFFICE_HOURS) -> WorkCalendar:
        """The calendar from ``official.py`` only (no database); cached per office hours."""
        return _official_cached(tuple((a, b) for a, b in office_hours))

    # ------------------------------------------------------------------ days

    def is_working_day(self, d: date) -> bool:
        if d in self._working_weekend:
            return True
        return d.weekday() < 5 and d not in self._non_working

    def non_working_weekdays(self, year: int) -> list[date]:
        """Mon–Fri days of the year that are not working days (lễ, Tết, nghỉ bù, hoán đổi)."""
        return sorted(d for d in self._non_working if d.year == year and d.weekday() < 5)

    def working_weekend_days(self, year: int) -> list[date]:
        """Saturdays/Sundays of the year that are working days (làm bù)."""
        return sorted(d for d in self._working_weekend if d.year == year and d.weekday() >= 5)

    # ------------------------------------------------------------------ clock (scalar)

    def _range_error(self, what: str) -> ValueError:
        return ValueError(f"{what} is outside the working-day calendar range {self.first_year}..{self.last_year}")

    def _local_us(self, dt: datetime) -> int:
        """Microseconds of local (+07:00) wall time since the range start."""
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError("naive datetime: a timezone-aware datetime is required")
        td = dt - self._base_dt
        return (td.days * 86_400 + td.seconds) * US + td.microseconds

    def _intra(self, tod: int) -> int:
        w = 0
        for a, b in self._iv:
            if tod <= a:
                break
            w += (b if tod > b else tod) - a
        return w

    def _clock(self, dt: datetime, cutoff_us: int | None = None) -> int:
        us = self._local_us(dt)
        day = us // DAY_US
        if not 0 <= day < self._n:
            raise self._range_error(dt.isoformat())
        if not self._working[day]:
            return self._cum[day]
        tod = us - day * DAY_US
        if cutoff_us is not None and tod > cutoff_us:
            # Received after the cut-off: counts from the next working day's opening (R2.2).
            return self._cum[day + 1]
        return self._cum[day] + self._intra(tod)

    def _leftmost_us(self, target: int) -> int:
        """Earliest local µs whose clock reaches ``target`` (> 0): a due instant."""
        cum = self._cum
        if target > cum[-1]:
            raise self._range_error("the due instant")
        d = bisect_left(cum, target) - 1
        r = target - cum[d]  # 0 < r <= one working day
        ic = self._ic
        for i, (a, _b) in enumerate(self._iv):
            if r <= ic[i + 1]:
                return d * DAY_US + a + r - ic[i]
        raise AssertionError("unreachable")  # pragma: no cover

    def _rightmost_us(self, clock: int) -> int:
        """Latest local µs with this clock value: the next opening (or the instant if open)."""
        cum = self._cum
        d = bisect_right(cum, clock) - 1
        if d >= self._n:
            raise self._range_error("the next opening")
        r = clock - cum[d]  # 0 <= r < one working day
        ic = self._ic
        for i, (a, _b) in enumerate(self._iv):
            if r < ic[i + 1]:
                return d * DAY_US + a + r - ic[i]
        raise AssertionError("unreachable")  # pragma: no cover

    def _to_dt(self, local_us: int) -> datetime:
        return self._base_dt + timedelta(microseconds=local_us)

    # ------------------------------------------------------------------ public scalar API

    def next_opening(self, instant: datetime) -> datetime:
        """The instant itself if inside office hours on a working day, else the next opening."""
        return self._to_dt(self._rightmost_us(self._clock(instant)))

    def add(self, start: datetime, amount: float, unit: str, cutoff: time | None = None) -> datetime:
        """Due instant of a duration ``amount`` in ``unit`` (one of ``DURATION_UNITS``)."""
        if unit == "ngay_lam_viec":
            return self.add_working_days(start, amount, cutoff)
        if unit == "gio_lam_viec":
            return self.add_working_hours(start, amount, cutoff)
        if unit == "ngay":
            return self.add_calendar_days(start, amount, cutoff)
        raise ValueError(f"unknown duration unit {unit!r}; expected one of {', '.join(DURATION_UNITS)}")

    def _add_working(self, start: datetime, amount_us: int, cutoff: time | None) -> datetime:
        clock = self._clock(start, None if cutoff is None else _time_us(cutoff))
        if amount_us == 0:
            return self._to_dt(self._rightmost_us(clock))
        return self._to_dt(self._leftmost_us(clock + amount_us))

    def add_working_hours(self, start: datetime, hours: float, cutoff: time | None = None) -> datetime:
        """N giờ làm việc from the start (or the next opening / next working day after the cut-off)."""
        return self._add_working(start, _amount_us(hours, HOUR_US), cutoff)

    def add_working_days(self, start: datetime, days: float, cutoff: time | None = None) -> datetime:
        """N ngày làm việc = N × (hours per day) working hours from the start."""
        return self._add_working(start, _amount_us(days, self._day_work_us), cutoff)

    def _inside_or_closing(self, tod: int) -> bool:
        for a, b in self._iv:
            if a <= tod <= b:
                return True
        return False

    def add_calendar_days(self, start: datetime, days: float, cutoff: time | None = None) -> datetime:
        """N ngày (calendar days, R2.8): start + N × 24 h, the start first moved to the next opening.

        If that instant is on a non-working day — or, for fractional N, outside office hours — the
        due instant is the closing time of the day of the next opening (the next working day).
        """
        amount = _amount_us(days, DAY_US)
        opening = self._rightmost_us(self._clock(start, None if cutoff is None else _time_us(cutoff)))
        x = opening + amount
        day = x // DAY_US
        if not 0 <= day < self._n:
            raise self._range_error("the due instant")
        tod = x - day * DAY_US
        if self._working[day] and self._inside_or_closing(tod):
            return self._to_dt(x)
        clock = self._cum[day] + (self._intra(tod) if self._working[day] else 0)
        d2 = bisect_right(self._cum, clock) - 1
        if d2 >= self._n:
            raise self._range_error("the due instant")
        return self._to_dt(d2 * DAY_US + self._last_close)

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours from ``a`` to ``b`` (negative if ``b`` is earlier)."""
        return (self._clock(b) - self._clock(a)) / HOUR_US

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Working days from ``a`` to ``b``: working hours / hours per day."""
        return (self._clock(b) - self._clock(a)) / self._day_work_us

    # ------------------------------------------------------------------ vectorised API
    #
    # Instants are either numpy datetime64 values (any unit), read as naive UTC, and returned as
    # datetime64[us] naive UTC — exact to the microsecond; or numbers (int/float arrays) of epoch
    # seconds (UTC), returned as float64 epoch seconds.

    def _batch_in(self, values) -> tuple[np.ndarray, bool]:
        arr = np.asarray(values)
        if np.issubdtype(arr.dtype, np.datetime64):
            if np.isnat(arr).any():
                raise ValueError("NaT in instants")
            utc_us = arr.astype("datetime64[us]").astype(np.int64)
            is_dt = True
        elif np.issubdtype(arr.dtype, np.number):
            if not np.isfinite(arr).all():
                raise ValueError("non-finite epoch seconds in instants")
            utc_us = np.rint(arr.astype(np.float64) * US).astype(np.int64)
            is_dt = False
        else:
            raise ValueError("instants must be datetime64 (naive UTC) or epoch seconds")
        return utc_us - self._base_epoch_us, is_dt

    def _batch_out(self, local_us: np.ndarray, is_dt: bool) -> np.ndarray:
        utc_us = local_us + self._base_epoch_us
        if is_dt:
            return utc_us.astype("datetime64[us]")
        return utc_us / US

    def _split_days(self, us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        day = us // DAY_US
        if us.size and (day.min() < 0 or day.max() >= self._n):
            raise self._range_error("an instant")
        return day, us - day * DAY_US

    def _intra_np(self, tod: np.ndarray) -> np.ndarray:
        w = np.zeros_like(tod)
        for a, b in self._iv:
            w += np.clip(tod - a, 0, b - a)
        return w

    def _clock_np(self, us: np.ndarray, cutoff_us: int | None = None) -> np.ndarray:
        day, tod = self._split_days(us)
        work = self._working_np[day]
        clock = self._cum_np[day] + np.where(work, self._intra_np(tod), 0)
        if cutoff_us is not None:
            after = work & (tod > cutoff_us)
            clock = np.where(after, self._cum_np[day + 1], clock)
        return clock

    def _leftmost_np(self, target: np.ndarray) -> np.ndarray:
        if target.size and target.max() > self._cum[-1]:
            raise self._range_error("a due instant")
        d = np.searchsorted(self._cum_np, target, side="left") - 1
        r = target - self._cum_np[d]
        i = np.searchsorted(self._ic_np[1:], r, side="left")
        return d * DAY_US + self._opens_np[i] + r - self._ic_np[i]

    def _rightmost_np(self, clock: np.ndarray) -> np.ndarray:
        d = np.searchsorted(self._cum_np, clock, side="right") - 1
        if d.size and d.max() >= self._n:
            raise self._range_error("a next opening")
        r = clock - self._cum_np[d]
        i = np.searchsorted(self._ic_np[1:], r, side="right")
        return d * DAY_US + self._opens_np[i] + r - self._ic_np[i]

    def add_batch(self, starts, amounts, unit: str, cutoff: time | None = None) -> np.ndarray:
        """Vectorised :meth:`add`; same results as the scalar method, element by element."""
        if unit not in DURATION_UNITS:
            raise ValueError(f"unknown duration unit {unit!r}; expected one of {', '.join(DURATION_UNITS)}")
        us, is_dt = self._batch_in(starts)
        amt = np.asarray(amounts, dtype=np.float64)
        amt = np.broadcast_to(amt, us.shape)
        if not np.isfinite(amt).all():
            raise ValueError("duration amounts must be finite")
        if (amt < 0).any():
            raise ValueError("duration amounts must not be negative")
        clock = self._clock_np(us, None if cutoff is None else _time_us(cutoff))
        if unit == "ngay":
            x = self._rightmost_np(clock) + np.rint(amt * DAY_US).astype(np.int64)
            day, tod = self._split_days(x)
            ok = self._working_np[day] & np.logical_or.reduce([(tod >= a) & (tod <= b) for a, b in self._iv])
            if ok.all():
                return self._batch_out(x, is_dt)
            c2 = self._cum_np[day] + np.where(self._working_np[day], self._intra_np(tod), 0)
            d2 = np.searchsorted(self._cum_np, c2, side="right") - 1
            if d2.size and d2.max() >= self._n:
                raise self._range_error("a due instant")
            return self._batch_out(np.where(ok, x, d2 * DAY_US + self._last_close), is_dt)
        scale = HOUR_US if unit == "gio_lam_viec" else self._day_work_us
        amt_us = np.rint(amt * scale).astype(np.int64)
        zero = amt_us == 0
        out = np.empty_like(clock)
        if zero.any():
            out[zero] = self._rightmost_np(clock[zero])
            nz = ~zero
            out[nz] = self._leftmost_np(clock[nz] + amt_us[nz])
        else:
            out = self._leftmost_np(clock + amt_us)
        return self._batch_out(out, is_dt)

    def working_hours_between_batch(self, a, b) -> np.ndarray:
        """Vectorised :meth:`working_hours_between` (float64 hours)."""
        ua, _ = self._batch_in(a)
        ub, _ = self._batch_in(b)
        return (self._clock_np(ub) - self._clock_np(ua)) / HOUR_US


@lru_cache(maxsize=8)
def _official_cached(office_hours: tuple[tuple[time, time], ...]) -> WorkCalendar:
    from motcua.workdays import official

    off, work = official.non_working_and_makeup(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR)
    return WorkCalendar(off, work, office_hours)


def to_vn(dt: datetime) -> datetime:
    """Aware datetime in Asia/Ho_Chi_Minh (naive → ValueError)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: a timezone-aware datetime is required")
    return dt.astimezone(VN_TZ)


__all__ = ["DEFAULT_OFFICE_HOURS", "DURATION_UNITS", "VN_TZ", "WorkCalendar", "to_vn"]
