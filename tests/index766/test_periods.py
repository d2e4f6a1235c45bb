from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.core.errors import UserError
from motcua.index766.periods import VN, make_window, parse_period, to_utc_naive


@pytest.mark.parametrize(
    "code,start,end",
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
        ("2026-H1", date(2026, 1, 1), date(2026, 7, 1)),
        ("2026-h2", date(2026, 7, 1), date(2027, 1, 1)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1)),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026-08", date(2026, 8, 1), date(2026, 9, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_parse(code, start, end):
    p = parse_period(code)
    assert (p.start_date, p.end_date) == (start, end)
    assert p.start.utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize(
    "bad", ["2026-13", "2026-Q5", "2026-H3", "26-08", "2026/08", "", "năm", "1900", "1989-12", "2100"]
)
def test_bad_period(bad):
    with pytest.raises(UserError) as e:
        parse_period(bad)
    assert "Kỳ đánh giá không hợp lệ" in e.value.message


def test_evaluation_instant():
    now = datetime(2026, 8, 15, 10, 0, tzinfo=VN)
    assert make_window("2026-08", now=now).t == now  # current period: now
    assert make_window("2026-07", now=now).t == datetime(2026, 8, 1, tzinfo=VN)  # past: end
    w = make_window("2026-08", as_of="2026-08-10T17:00", now=now)
    assert w.t == datetime(2026, 8, 10, 17, 0, tzinfo=VN)  # naive as_of = +07:00
    assert w.t_utc == datetime(2026, 8, 10, 10, 0)
    assert make_window("2026-08", as_of="2026-08-10", now=now).t_date == date(2026, 8, 9)
    with pytest.raises(UserError):
        make_window("2026-09", now=now)  # not started yet
    with pytest.raises(UserError):
        make_window("2026-08", as_of="hôm qua", now=now)


def test_months_and_utc():
    assert parse_period("2026-Q2").months() == ["2026-04", "2026-05", "2026-06"]
    assert to_utc_naive(datetime(2026, 1, 1, 0, 0)) == datetime(2025, 12, 31, 17, 0)
