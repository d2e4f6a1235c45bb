"""Dates and instants typed by users are parsed in one place and bounded, with a Vietnamese message."""

from datetime import date, datetime

import pytest
from django import forms

from motcua.core import dates
from motcua.core.errors import UserError


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1989-12-31", "2100-01-01"])
def test_days_outside_the_range_are_refused(text):
    with pytest.raises(UserError) as error:
        dates.parse_day(text)
    assert "01/01/1990" in error.value.message and "31/12/2099" in error.value.message


@pytest.mark.parametrize("text", ["2026-02-30", "hôm nay", "20260301", "2026-3-1"])
def test_malformed_days_are_refused(text):
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        dates.parse_day(text)


def test_days_at_the_bounds_and_defaults():
    assert dates.parse_day("1990-01-01") == date(1990, 1, 1)
    assert dates.parse_day(" 2099-12-31 ") == date(2099, 12, 31)
    assert dates.parse_day("", default=date(2026, 3, 1)) == date(2026, 3, 1)
    assert dates.parse_day(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+07:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31",
        "2100-01-01T06:59:59+07:00",
    ],
)
def test_instants_outside_the_range_are_refused(text):
    with pytest.raises(UserError, match="01/01/1990"):
        dates.parse_instant(text)


def test_instants_get_the_local_offset_when_they_have_none():
    assert dates.parse_instant("2026-08-20") == datetime.fromisoformat("2026-08-20T00:00:00+07:00")
    assert dates.parse_instant("2026-08-20T17:00:00Z") == datetime.fromisoformat("2026-08-21T00:00:00+07:00")
    with pytest.raises(UserError, match="ISO 8601"):
        dates.parse_instant("2026-08-20T25:00")


class _Form(forms.Form):
    day = dates.DateField(required=False)
    at = dates.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "9999-12-31"}, "day"),
        ({"day": "0001-01-01"}, "day"),
        ({"at": "9999-12-31T23:59"}, "at"),
        ({"at": "0001-01-01T00:00"}, "at"),
    ],
)
def test_form_fields_refuse_dates_outside_the_range(data, field):
    form = _Form(data)
    assert not form.is_valid()
    assert "01/01/1990" in form.errors[field][0]


def test_form_fields_take_dates_inside_the_range():
    form = _Form({"day": "2026-03-01", "at": "2026-03-01T10:00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 3, 1)
