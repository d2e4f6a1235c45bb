"""Official working-day schedule for civil servants, as data (process-rules.md §2.3–2.4).

Each entry is one date that departs from the Mon–Fri rule or names a holiday:

- ``holiday``      — ngày nghỉ lễ, Tết (Bộ luật Lao động 2019 Điều 112.1); may fall on a weekend,
  kept for its name;
- ``compensatory`` — nghỉ bù for a holiday on a weekly rest day (Điều 111.3);
- ``swap_off``     — hoán đổi ngày làm việc: a weekday made a day off;
- ``makeup``       — làm bù: the Saturday (rarely Sunday) worked in exchange.

Years 2024–2026 are encoded exactly from the Government's notices (R2.16, R2.17). Other years fall
back to the ``holidays`` package (Vietnamese lunar calendar, Art. 111.3 observance and the swaps
it knows); those entries carry ``official=False`` and a legal basis saying there is no official
schedule. No Django import: the data migration, the calendar and the tests read this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

HOLIDAY = "holiday"
COMPENSATORY = "compensatory"
SWAP_OFF = "swap_off"
MAKEUP = "makeup"
KINDS = (HOLIDAY, COMPENSATORY, SWAP_OFF, MAKEUP)
OFF_KINDS = frozenset({HOLIDAY, COMPENSATORY, SWAP_OFF})

# Kinds of the full day table (CalendarDay): the four above plus the ordinary days.
WEEKDAY = "weekday"
WEEKEND = "weekend"
WORKING_KINDS = frozenset({WEEKDAY, MAKEUP})

FALLBACK_NOTE = "không có lịch chính thức; theo Bộ luật Lao động 2019 Điều 112"
# BLLĐ 2019 is in force from 01/01/2021; before that the holidays were in BLLĐ 2012 Điều 115.
FALLBACK_NOTE_2012 = "không có lịch chính thức; theo Bộ luật Lao động 2012 Điều 115"

_BLLD = "Bộ luật Lao động 2019 Điều 112.1"
_BLLD_BU = "Bộ luật Lao động 2019 Điều 111.3"
_TET_2024 = "Bộ luật Lao động 2019 Điều 112.1, 112.3; thông báo nghỉ Tết Giáp Thìn 2024"
_LE_2024 = "Công văn 2450/VPCP-KGVX ngày 12/04/2024 (hoán đổi ngày làm việc dịp 30/4–1/5/2024)"
_QK_2024 = "Bộ luật Lao động 2019 Điều 112.1, 112.3; thông báo nghỉ Quốc khánh 2024"
# 2025: one notice of the Ministry of Labour (Tết, the 02/05 ↔ 26/04 swap, Quốc khánh), after the Government
# Office's letter on Tết.
_TB_6150 = "Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024 của Bộ LĐ-TB&XH"
_TET_2025 = f"{_TB_6150} (theo Công văn 8726/VPCP-KGVX ngày 26/11/2024)"
_LE_2025 = f"{_TB_6150} (hoán đổi thứ Sáu 02/5/2025 sang thứ Bảy 26/4/2025)"
_QK_2025 = f"Bộ luật Lao động 2019 Điều 112.1, 112.3; {_TB_6150}"
# 2026: the Government Office's letter agreeing to the New Year swap (the record said only "agreed 25/12/2025").
_DL_2026 = "Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ (hoán đổi thứ Sáu 02/01/2026 sang thứ Bảy 10/01/2026)"
_TB_9441 = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"
# A holiday outside BLLĐ Điều 112.1 (so Điều 111.3's nghỉ bù does not apply to it); the policy was set by
# Nghị quyết 80-NQ/TW ngày 07/01/2026.
_VHVN = (
    "Nghị quyết 28/2026/QH16 Điều 2 (hiệu lực 01/07/2026): ngày 24/11 hằng năm là Ngày Văn hóa Việt Nam, "
    "người lao động được nghỉ và hưởng nguyên lương"
)

#: Bases checked against the text of the law itself (Bộ luật Lao động 2019, Điều 111.3 and 112.1, read from the
#: Code). Every other basis — the yearly notices and letters, Nghị quyết 28/2026/QH16 — is recorded from
#: secondary reports (process-rules.md §2.4: confidence M or L) and its original was not read: such days are
#: flagged by ``motcua calendar`` until an administrator confirms them (docs/decisions/0018).
VERIFIED_BASES = frozenset({_BLLD, f"{_BLLD_BU}, 112.1"})


def basis_verified(basis: str) -> bool:
    """Whether a day's legal basis was checked against the text it cites (see :data:`VERIFIED_BASES`)."""
    return basis.strip() in VERIFIED_BASES


@dataclass(frozen=True, slots=True)
class DayEntry:
    date: date
    kind: str
    name: str
    legal_basis: str
    official: bool = True

    @property
    def is_working(self) -> bool:
        return self.kind == MAKEUP


def _d(iso: str) -> date:
    return date.fromisoformat(iso)


# fmt: off
SCHEDULE: tuple[DayEntry, ...] = tuple(DayEntry(_d(day), kind, name, basis) for day, kind, name, basis in (
    # 2024
    ("2024-01-01", HOLIDAY, "Tết Dương lịch", _BLLD),
    ("2024-02-08", HOLIDAY, "Tết Nguyên đán Giáp Thìn (29 Tết)", _TET_2024),
    ("2024-02-09", HOLIDAY, "Tết Nguyên đán Giáp Thìn (30 Tết)", _TET_2024),
    ("2024-02-10", HOLIDAY, "Tết Nguyên đán Giáp Thìn (mùng 1)", _TET_2024),
    ("2024-02-11", HOLIDAY, "Tết Nguyên đán Giáp Thìn (mùng 2)", _TET_2024),
    ("2024-02-12", HOLIDAY, "Tết Nguyên đán Giáp Thìn (mùng 3)", _TET_2024),
    ("2024-02-13", COMPENSATORY, "Nghỉ bù Tết Nguyên đán (mùng 1 vào thứ Bảy)", f"{_BLLD_BU}; {_TET_2024}"),
    ("2024-02-14", COMPENSATORY, "Nghỉ bù Tết Nguyên đán (mùng 2 vào Chủ nhật)", f"{_BLLD_BU}; {_TET_2024}"),
    ("2024-04-18", HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", _BLLD),
    ("2024-04-29", SWAP_OFF, "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 04/05/2024)", _LE_2024),
    ("2024-04-30", HOLIDAY, "Ngày Chiến thắng", _BLLD),
    ("2024-05-01", HOLIDAY, "Ngày Quốc tế Lao động", _BLLD),
    ("2024-05-04", MAKEUP, "Làm bù cho thứ Hai 29/04/2024", _LE_2024),
    ("2024-09-02", HOLIDAY, "Quốc khánh", _BLLD),
    ("2024-09-03", HOLIDAY, "Quốc khánh (ngày liền kề)", _QK_2024),
    # 2025
    ("2025-01-01", HOLIDAY, "Tết Dương lịch", _BLLD),
    ("2025-01-27", HOLIDAY, "Tết Nguyên đán Ất Tỵ (28 Tết)", _TET_2025),
    ("2025-01-28", HOLIDAY, "Tết Nguyên đán Ất Tỵ (29 Tết, giao thừa)", _TET_2025),
    ("2025-01-29", HOLIDAY, "Tết Nguyên đán Ất Tỵ (mùng 1)", _TET_2025),
    ("2025-01-30", HOLIDAY, "Tết Nguyên đán Ất Tỵ (mùng 2)", _TET_2025),
    ("2025-01-31", HOLIDAY, "Tết Nguyên đán Ất Tỵ (mùng 3)", _TET_2025),
    ("2025-04-07", HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", _BLLD),
    ("2025-04-26", MAKEUP, "Làm bù cho thứ Sáu 02/05/2025", _LE_2025),
    ("2025-04-30", HOLIDAY, "Ngày Chiến thắng", _BLLD),
    ("2025-05-01", HOLIDAY, "Ngày Quốc tế Lao động", _BLLD),
    ("2025-05-02", SWAP_OFF, "Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/04/2025)", _LE_2025),
    ("2025-09-01", HOLIDAY, "Quốc khánh (ngày liền kề)", _QK_2025),
    ("2025-09-02", HOLIDAY, "Quốc khánh", _BLLD),
    # 2026
    ("2026-01-01", HOLIDAY, "Tết Dương lịch", _BLLD),
    ("2026-01-02", SWAP_OFF, "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)", _DL_2026),
    ("2026-01-10", MAKEUP, "Làm bù cho thứ Sáu 02/01/2026", _DL_2026),
    ("2026-02-16", HOLIDAY, "Tết Nguyên đán Bính Ngọ (29 Tết)", _TB_9441),
    ("2026-02-17", HOLIDAY, "Tết Nguyên đán Bính Ngọ (mùng 1)", _TB_9441),
    ("2026-02-18", HOLIDAY, "Tết Nguyên đán Bính Ngọ (mùng 2)", _TB_9441),
    ("2026-02-19", HOLIDAY, "Tết Nguyên đán Bính Ngọ (mùng 3)", _TB_9441),
    ("2026-02-20", HOLIDAY, "Tết Nguyên đán Bính Ngọ (mùng 4)", _TB_9441),
    ("2026-04-26", HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật)", _BLLD),
    ("2026-04-27", COMPENSATORY, "Nghỉ bù Giỗ Tổ Hùng Vương (Chủ nhật 26/04/2026)", f"{_BLLD_BU}, 112.1"),
    ("2026-04-30", HOLIDAY, "Ngày Chiến thắng", _BLLD),
    ("2026-05-01", HOLIDAY, "Ngày Quốc tế Lao động", _BLLD),
    ("2026-08-22", MAKEUP, "Làm bù cho thứ Hai 31/08/2026", _TB_9441),
    ("2026-08-31", SWAP_OFF, "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/08/2026)", _TB_9441),
    ("2026-09-01", HOLIDAY, "Quốc khánh (ngày liền kề)", _TB_9441),
    ("2026-09-02", HOLIDAY, "Quốc khánh", _BLLD),
    ("2026-11-24", HOLIDAY, "Ngày Văn hóa Việt Nam", _VHVN),
))
# fmt: on

OFFICIAL_YEARS = frozenset(e.date.year for e in SCHEDULE)


def has_official_schedule(year: int) -> bool:
    """True when the year's schedule was encoded from official notices, not the statutory fallback."""
    return year in OFFICIAL_YEARS


@lru_cache(maxsize=256)
def _fallback_year(year: int) -> tuple[DayEntry, ...]:
    # The holidays package: lunar Tết/Giỗ Tổ per the Vietnamese calendar, Art. 111.3 nghỉ bù and the
    # historic swaps it knows. Imported lazily: only years without an official schedule need it.
    import holidays

    note = FALLBACK_NOTE if year >= 2021 else FALLBACK_NOTE_2012
    table = holidays.country_holidays("VN", years=year, language="vi")
    out: list[DayEntry] = []
    for day, name in sorted(table.items()):
        lower = name.lower()
        if "nghỉ bù" in lower:
            kind = COMPENSATORY
        elif lower.startswith("ngày nghỉ") or "thay cho" in lower:
            kind = SWAP_OFF
        else:
            kind = HOLIDAY
        out.append(DayEntry(day, kind, name, note, official=False))
    for day in sorted(getattr(table, "weekend_workdays", ()) or ()):
        if day.year == year:
            out.append(DayEntry(day, MAKEUP, "Làm bù (hoán đổi ngày làm việc)", note, official=False))
    out.sort(key=lambda e: e.date)
    return tuple(out)


def entries_for_year(year: int) -> tuple[DayEntry, ...]:
    """The year's entries, sorted by date: official when encoded, else the statutory fallback."""
    if year in OFFICIAL_YEARS:
        return tuple(e for e in SCHEDULE if e.date.year == year)
    return _fallback_year(year)


def entries(first_year: int, last_year: int) -> Iterator[DayEntry]:
    for year in range(first_year, last_year + 1):
        yield from entries_for_year(year)


def non_working_and_makeup(first_year: int, last_year: int) -> tuple[set[date], set[date]]:
    """(days off, working weekend days) over the years, for ``WorkCalendar``."""
    off: set[date] = set()
    work: set[date] = set()
    for e in entries(first_year, last_year):
        (work if e.is_working else off).add(e.date)
    return off, work


def day_rows(first_year: int, last_year: int) -> Iterator[dict]:
    """One dict per date of the years: the content of the ``CalendarDay`` table.

    ``working_day_index`` is the running count of working days up to and including the date, from
    the first date of the range, so that ``index(b) - index(a)`` counts working days in (a, b].
    """
    by_date = {}
    for e in entries(first_year, last_year):
        # A holiday entry on a weekend must not hide a make-up entry for the same date; make-up wins.
        if e.date not in by_date or e.kind == MAKEUP:
            by_date[e.date] = e
    day = date(first_year, 1, 1)
    end = date(last_year, 12, 31)
    index = 0
    one = timedelta(days=1)
    while day <= end:
        entry = by_date.get(day)
        if entry is not None:
            kind, name, basis, is_official = entry.kind, entry.name, entry.legal_basis, entry.official
        else:
            kind = WEEKDAY if day.weekday() < 5 else WEEKEND
            name, basis, is_official = "", "", has_official_schedule(day.year)
        is_working = kind in WORKING_KINDS
        index += is_working
        yield {
            "date": day,
            "is_working": is_working,
            "kind": kind,
            "name": name,
            "legal_basis": basis,
            "official_schedule": is_official,
            "working_day_index": index,
        }
        day += one
