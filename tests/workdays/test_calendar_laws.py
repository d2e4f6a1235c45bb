"""Property tests of the calendar's laws (interchange.md §4), on the official calendar 2024–2027."""

from datetime import datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workdays.calendar import VN_TZ, WorkCalendar

CAL = WorkCalendar.official()
T0 = datetime(2024, 1, 1, tzinfo=VN_TZ)
SPAN_S = 4 * 365 * 86_400

# Starts to the second over 2024–2027, biased towards office-hour boundaries.
seconds = st.integers(0, SPAN_S)
boundary = st.builds(
    lambda day, hm: day * 86_400 + hm * 60,
    st.integers(0, 4 * 365 - 1),
    st.sampled_from([7 * 60, 11 * 60 + 30, 13 * 60 + 30, 17 * 60, 15 * 60, 0]),
)
starts = st.one_of(seconds, boundary).map(lambda s: T0 + timedelta(seconds=s))
# Working hours in whole minutes (exact in microseconds), up to 60 working days.
minutes = st.integers(0, 60 * 8 * 60)
working_units = st.sampled_from(["gio_lam_viec", "ngay_lam_viec"])
cutoffs = st.sampled_from([None, time(15, 0), time(16, 0), time(10, 0)])
FAST = settings(max_examples=300, deadline=None)


def amount_for(unit: str, mins: int) -> float:
    return mins / 60 if unit == "gio_lam_viec" else mins / 480


def not_inside_closed_period(dt: datetime) -> bool:
    local = dt.astimezone(VN_TZ)
    if not CAL.is_working_day(local.date()):
        return False
    t = local.time()
    return any(a <= t <= b for a, b in CAL.office_hours)


@FAST
@given(starts, st.integers(0, 60 * 8 * 60), st.integers(0, 60 * 8 * 60), working_units, cutoffs)
def test_monotonic_in_amount(s, m1, m2, unit, cutoff):
    lo, hi = sorted((m1, m2))
    assert CAL.add(s, amount_for(unit, lo), unit, cutoff) <= CAL.add(s, amount_for(unit, hi), unit, cutoff)


@FAST
@given(starts, starts, minutes, working_units, cutoffs)
def test_monotonic_in_start(s1, s2, mins, unit, cutoff):
    a, b = sorted((s1, s2))
    amount = amount_for(unit, mins)
    assert CAL.add(a, amount, unit, cutoff) <= CAL.add(b, amount, unit, cutoff)


@FAST
@given(starts, st.integers(1, 20 * 8 * 60), st.integers(1, 20 * 8 * 60))
def test_additive_working_hours(s, m1, m2):
    s = CAL.next_opening(s)  # inside office hours
    step = CAL.add_working_hours(CAL.add_working_hours(s, m1 / 60), m2 / 60)
    assert step == CAL.add_working_hours(s, (m1 + m2) / 60)


@FAST
@given(starts, minutes)
def test_between_inverts_add(s, mins):
    due = CAL.add_working_hours(s, mins / 60)
    assert abs(CAL.working_hours_between(s, due) - mins / 60) < 1e-9
    assert abs(CAL.working_hours_between(due, s) + mins / 60) < 1e-9
    days_due = CAL.add_working_days(s, mins / 480)
    assert abs(CAL.working_days_between(s, days_due) - mins / 480) < 1e-9


@FAST
@given(starts, minutes, st.sampled_from(["gio_lam_viec", "ngay_lam_viec", "ngay"]), cutoffs)
def test_never_strictly_inside_a_closed_period(s, mins, unit, cutoff):
    amount = mins / 1440 if unit == "ngay" else amount_for(unit, mins)
    due = CAL.add(s, amount, unit, cutoff)
    assert not_inside_closed_period(due)
    assert due >= s
    assert due.tzinfo is VN_TZ
    assert not_inside_closed_period(CAL.next_opening(s))


@FAST
@given(starts, st.integers(0, 90))
def test_calendar_days_at_least_n_days_and_on_a_working_day(s, n):
    due = CAL.add_calendar_days(s, n)
    assert due >= s + timedelta(days=n)
    assert CAL.is_working_day(due.date())
    # Landing inside office hours on a working day: exactly N × 24 h after the next opening.
    x = CAL.next_opening(s) + timedelta(days=n)
    if not_inside_closed_period(x):
        assert due == x


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(starts, minutes), min_size=1, max_size=40),
    st.sampled_from(["gio_lam_viec", "ngay_lam_viec", "ngay"]),
    cutoffs,
)
def test_batch_equals_scalar(cases, unit, cutoff):
    amounts = [mins / 1440 if unit == "ngay" else amount_for(unit, mins) for _, mins in cases]
    expected = [CAL.add(s, a, unit, cutoff) for (s, _), a in zip(cases, amounts, strict=True)]
    utc = np.array(
        [s.astimezone(VN_TZ).replace(tzinfo=None) - timedelta(hours=7) for s, _ in cases],
        dtype="datetime64[us]",
    )
    got = CAL.add_batch(utc, np.array(amounts), unit, cutoff)
    want = np.array([e.replace(tzinfo=None) - timedelta(hours=7) for e in expected], dtype="datetime64[us]")
    assert got.tolist() == want.tolist()
    epoch = CAL.add_batch(np.array([s.timestamp() for s, _ in cases]), amounts, unit, cutoff)
    assert np.allclose(epoch, [e.timestamp() for e in expected], rtol=0, atol=1e-6)
    hours = CAL.working_hours_between_batch(utc, got)
    assert np.allclose(
        hours,
        [CAL.working_hours_between(s, e) for (s, _), e in zip(cases, expected, strict=True)],
        atol=1e-9,
    )
