"""Worked examples of the deadline rules (process-rules.md §2, interchange.md §3–4) on the official
calendar: Tết, make-up Saturdays, nghỉ bù, cut-off, closing-time boundary, calendar days."""

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest

from motcua.workdays import official
from motcua.workdays.calendar import VN_TZ, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.official()


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


# --------------------------------------------------------------------------- official data


def test_2026_non_working_weekdays_and_makeup_saturdays(cal):
    assert cal.non_working_weekdays(2026) == [
        date(2026, 1, 1), date(2026, 1, 2),
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20),
        date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1),
        date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),
        date(2026, 11, 24),
    ]  # fmt: skip
    assert cal.working_weekend_days(2026) == [date(2026, 1, 10), date(2026, 8, 22)]


@pytest.mark.parametrize(
    ("year", "working_days"),
    # Weekdays minus official weekdays off plus make-up Saturdays, counted by hand from §2.4:
    # 2024: 262 − 12 + 1; 2025: 261 − 12 + 1; 2026: 261 − 14 + 2.
    [(2024, 251), (2025, 250), (2026, 249)],
)
def test_working_days_per_year(cal, year, working_days):
    start, end = vn(year, 1, 1), vn(year + 1, 1, 1)
    assert cal.working_days_between(start, end) == working_days
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    assert sum(cal.is_working_day(d) for d in days if d.year == year) == working_days


def test_each_official_entry_has_name_and_legal_basis():
    for e in official.SCHEDULE:
        assert e.kind in official.KINDS
        assert e.name and e.legal_basis
        assert e.date.year in (2024, 2025, 2026)
    makeups = [e.date for e in official.SCHEDULE if e.kind == official.MAKEUP]
    assert makeups == [date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]
    assert all(d.weekday() == 5 for d in makeups)


def test_fallback_year_is_marked_not_official():
    entries = official.entries_for_year(2027)
    assert not official.has_official_schedule(2027)
    assert entries and all(not e.official for e in entries)
    assert all(official.FALLBACK_NOTE in e.legal_basis for e in entries)
    # Lunar dates from the Vietnamese calendar: Tết Đinh Mùi (mùng 1) is Sat 06/02/2027.
    assert date(2027, 2, 6) in {e.date for e in entries}


# --------------------------------------------------------------------------- across Tết


def test_across_tet_2025(cal):
    # Fri 24/01/2025 → Mon 27/01–Fri 31/01 Tết, weekends around → Mon 03/02.
    assert cal.add(vn(2025, 1, 24, 10), 1, "ngay_lam_viec") == vn(2025, 2, 3, 10)
    # Thu 23/01 09:00 + 5 ngày làm việc: Fri 24, Mon 03, Tue 04, Wed 05, Thu 06/02 09:00.
    assert cal.add(vn(2025, 1, 23, 9), 5, "ngay_lam_viec") == vn(2025, 2, 6, 9)


def test_across_tet_2026(cal):
    assert cal.add(vn(2026, 2, 13, 10), 1, "ngay_lam_viec") == vn(2026, 2, 23, 10)
    assert cal.working_hours_between(vn(2026, 2, 13, 17), vn(2026, 2, 23, 7)) == 0
    assert cal.working_hours_between(vn(2026, 2, 13, 10), vn(2026, 2, 23, 10)) == 8
    assert cal.next_opening(vn(2026, 2, 17, 9)) == vn(2026, 2, 23, 7)


# --------------------------------------------------------------------------- make-up Saturdays


def test_makeup_saturday_26_04_2025(cal):
    assert cal.is_working_day(date(2025, 4, 26))
    assert cal.add(vn(2025, 4, 25, 10), 1, "ngay_lam_viec") == vn(2025, 4, 26, 10)
    # Tue 29/04 → Wed 30/04, Thu 01/05 lễ, Fri 02/05 hoán đổi, weekend → Mon 05/05.
    assert cal.add(vn(2025, 4, 29, 10), 1, "ngay_lam_viec") == vn(2025, 5, 5, 10)


def test_makeup_saturday_10_01_2026(cal):
    assert cal.add(vn(2026, 1, 9, 10), 1, "ngay_lam_viec") == vn(2026, 1, 10, 10)
    # Wed 31/12/2025 → Thu 01/01 lễ, Fri 02/01 hoán đổi, Sat 03/01 not a make-up day → Mon 05/01.
    assert cal.add(vn(2025, 12, 31, 10), 1, "ngay_lam_viec") == vn(2026, 1, 5, 10)


def test_makeup_saturday_22_08_2026_and_quoc_khanh(cal):
    assert cal.add(vn(2026, 8, 21, 16), 2, "gio_lam_viec") == vn(2026, 8, 22, 8)
    # Fri 28/08 → Mon 31/08 hoán đổi, Tue 01/09 and Wed 02/09 Quốc khánh → Thu 03/09.
    assert cal.add(vn(2026, 8, 28, 10), 1, "ngay_lam_viec") == vn(2026, 9, 3, 10)


def test_gio_to_2026_sunday_gives_monday_off(cal):
    assert not cal.is_working_day(date(2026, 4, 26))
    assert not cal.is_working_day(date(2026, 4, 27))
    assert cal.add(vn(2026, 4, 24, 10), 1, "ngay_lam_viec") == vn(2026, 4, 28, 10)


# --------------------------------------------------------------------------- cut-off and boundaries


def test_cutoff_is_strictly_after(cal):
    c = time(15, 0)
    assert cal.add(vn(2026, 1, 5, 15, 0), 1, "ngay_lam_viec", cutoff=c) == vn(2026, 1, 6, 15)
    assert cal.add(vn(2026, 1, 5, 15, 0, 1), 1, "ngay_lam_viec", cutoff=c) == vn(2026, 1, 6, 17)
    # Without a cut-off the same start counts from 15:00:01.
    assert cal.add(vn(2026, 1, 5, 15, 0, 1), 1, "ngay_lam_viec") == vn(2026, 1, 6, 15, 0, 1)
    # After the cut-off on Fri 09/01/2026 → the next working day is make-up Sat 10/01.
    assert cal.add(vn(2026, 1, 9, 15, 30), 1, "ngay_lam_viec", cutoff=c) == vn(2026, 1, 10, 17)
    # On a day off the cut-off changes nothing: the next opening is Mon 05/01 07:00.
    assert cal.add(vn(2026, 1, 3, 16), 1, "ngay_lam_viec", cutoff=c) == vn(2026, 1, 5, 17)
    # Zero duration after the cut-off = the next working day's opening.
    assert cal.add(vn(2026, 1, 5, 16), 0, "gio_lam_viec", cutoff=c) == vn(2026, 1, 6, 7)


def test_due_instant_may_be_a_closing_time(cal):
    assert cal.add(vn(2026, 1, 5, 7), 1, "ngay_lam_viec") == vn(2026, 1, 5, 17)
    assert cal.add(vn(2026, 1, 5, 7), 4.5, "gio_lam_viec") == vn(2026, 1, 5, 11, 30)
    assert cal.add(vn(2026, 1, 5, 7), 4.5 + 1 / 60, "gio_lam_viec") == vn(2026, 1, 5, 13, 31)
    # A start at a closing time counts from the next opening.
    assert cal.add(vn(2026, 1, 5, 17), 1, "gio_lam_viec") == vn(2026, 1, 6, 8)
    assert cal.add(vn(2026, 1, 5, 11, 30), 1, "gio_lam_viec") == vn(2026, 1, 5, 14, 30)


def test_next_opening_and_zero_duration(cal):
    assert cal.next_opening(vn(2026, 1, 5, 9, 15)) == vn(2026, 1, 5, 9, 15)
    assert cal.next_opening(vn(2026, 1, 5, 12)) == vn(2026, 1, 5, 13, 30)
    assert cal.next_opening(vn(2026, 1, 5, 17)) == vn(2026, 1, 6, 7)
    assert cal.next_opening(vn(2026, 1, 5, 6, 59)) == vn(2026, 1, 5, 7)
    assert cal.add(vn(2026, 1, 5, 12), 0, "ngay_lam_viec") == vn(2026, 1, 5, 13, 30)
    assert cal.add(vn(2026, 1, 5, 9), 0, "ngay") == vn(2026, 1, 5, 9)


def test_start_outside_office_hours_counts_from_next_opening(cal):
    assert cal.add(vn(2026, 1, 5, 20), 1, "ngay_lam_viec") == vn(2026, 1, 6, 17)
    assert cal.add(vn(2026, 1, 3, 10), 2, "gio_lam_viec") == vn(2026, 1, 5, 9)


# --------------------------------------------------------------------------- calendar days


def test_calendar_days_ending_on_a_holiday(cal):
    # Thu 27/08/2026 10:00 + 5 ngày = Tue 01/09 (Quốc khánh); Wed 02/09 too → Thu 03/09 17:00.
    assert cal.add(vn(2026, 8, 27, 10), 5, "ngay") == vn(2026, 9, 3, 17)
    # Ending on a Sunday → closing of the next working day.
    assert cal.add(vn(2026, 1, 7, 10), 4, "ngay") == vn(2026, 1, 12, 17)
    # Ending on a make-up Saturday: a working day, so the instant itself.
    assert cal.add(vn(2026, 1, 8, 10), 2, "ngay") == vn(2026, 1, 10, 10)
    # An ordinary weekday: start + N × 24 h.
    assert cal.add(vn(2026, 1, 5, 10), 3, "ngay") == vn(2026, 1, 8, 10)


def test_calendar_days_start_moved_to_next_opening(cal):
    assert cal.add(vn(2026, 1, 3, 10), 2, "ngay") == vn(2026, 1, 7, 7)
    assert cal.add(vn(2026, 1, 5, 12), 1, "ngay") == vn(2026, 1, 6, 13, 30)


def test_fractional_calendar_day_outside_office_hours(cal):
    # 10:00 + 0.5 ngày = 22:00, a closed period → closing of the next working day (decision: the
    # rule for days off extended to nights so that the law "never inside a closed period" holds).
    assert cal.add(vn(2026, 1, 5, 10), 0.5, "ngay") == vn(2026, 1, 6, 17)


# --------------------------------------------------------------------------- input handling


def test_timezones_and_bad_input(cal):
    utc_start = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # 07:00 in Viet Nam
    due = cal.add(utc_start, 1, "ngay_lam_viec")
    assert due == vn(2026, 1, 5, 17) and due.utcoffset() == timedelta(hours=7)
    with pytest.raises(ValueError, match="naive"):
        cal.add(datetime(2026, 1, 5, 7), 1, "ngay_lam_viec")
    with pytest.raises(ValueError, match="negative"):
        cal.add(vn(2026, 1, 5, 7), -1, "ngay_lam_viec")
    with pytest.raises(ValueError, match="unit"):
        cal.add(vn(2026, 1, 5, 7), 1, "tuan")
    with pytest.raises(ValueError, match="range"):
        cal.add(vn(2046, 1, 5, 7), 1, "ngay_lam_viec")
    with pytest.raises(ValueError, match="range"):
        cal.add(vn(2045, 12, 29, 7), 10, "ngay_lam_viec")
    assert cal.working_hours_between(vn(2026, 1, 6, 7), vn(2026, 1, 5, 7)) == -8


def test_configurable_office_hours():
    cal = WorkCalendar(
        [date(2026, 1, 1)],
        [],
        office_hours=[(time(7, 30), time(11, 30)), (time(13, 0), time(16, 30))],
    )
    assert cal.hours_per_day == 7.5
    assert cal.add(vn(2026, 1, 5, 7, 30), 1, "ngay_lam_viec") == vn(2026, 1, 5, 16, 30)
    assert cal.next_opening(vn(2026, 1, 5, 7)) == vn(2026, 1, 5, 7, 30)
    assert cal.add(vn(2025, 12, 31, 16), 1, "gio_lam_viec") == vn(2026, 1, 2, 8)
    with pytest.raises(ValueError):
        WorkCalendar([], [], office_hours=[(time(13), time(17)), (time(7), time(11))])


def test_batch_epoch_seconds_and_datetime64(cal):
    start = vn(2026, 2, 13, 10)
    epoch = np.array([start.timestamp()])
    assert cal.add_batch(epoch, [1.0], "ngay_lam_viec")[0] == vn(2026, 2, 23, 10).timestamp()
    utc64 = np.array(["2026-02-13T03:00"], dtype="datetime64[us]")
    out = cal.add_batch(utc64, [1.0], "ngay_lam_viec")
    assert out.dtype == np.dtype("datetime64[us]")
    assert out[0] == np.datetime64("2026-02-23T03:00")
    hours = cal.working_hours_between_batch(utc64, out)
    assert hours.tolist() == [8.0]
    with pytest.raises(ValueError):
        cal.add_batch(epoch, [-1.0], "ngay_lam_viec")
