"""The working-day table, its seed, edits through the admin and the two commands."""

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.workdays import official, services
from motcua.workdays.calendar import VN_TZ, WorkCalendar
from motcua.workdays.models import CalendarDay, OfficeHours


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # The cache outlives the test transaction; never let an edited calendar leak into other tests.
    services.invalidate_calendar()
    yield
    services.invalidate_calendar()


@pytest.mark.django_db
def test_seeded_table_matches_official_data():
    rows = list(CalendarDay.objects.order_by("date").values(
        "date", "is_working", "kind", "name", "legal_basis", "official_schedule", "working_day_index"
    ))  # fmt: skip
    expected = list(official.day_rows(2015, 2035))
    assert len(rows) == (date(2035, 12, 31) - date(2015, 1, 1)).days + 1
    assert rows == expected
    by_date = {r["date"]: r for r in rows}
    for e in official.SCHEDULE:
        assert by_date[e.date]["kind"] == e.kind and by_date[e.date]["legal_basis"] == e.legal_basis
    assert by_date[date(2026, 8, 22)]["is_working"] and by_date[date(2026, 8, 22)]["kind"] == "makeup"
    assert not by_date[date(2027, 1, 1)]["official_schedule"]
    # The running index counts working days: 249 in 2026 (see the example tests).
    assert by_date[date(2026, 12, 31)]["working_day_index"] - by_date[date(2025, 12, 31)]["working_day_index"] == 249


@pytest.mark.django_db
def test_db_calendar_equals_official_calendar():
    db_cal, off = services.get_calendar(), WorkCalendar.official()
    day = date(2015, 1, 1)
    while day <= date(2035, 12, 31):
        assert db_cal.is_working_day(day) == off.is_working_day(day), day
        day += timedelta(days=1)
    assert services.get_calendar() is db_cal  # cached


@pytest.mark.django_db
def test_editing_a_day_changes_calendar_and_index():
    before = services.get_calendar()
    assert before.add(vn(2026, 3, 9, 10), 1, "ngay_lam_viec") == vn(2026, 3, 10, 10)
    index_after = CalendarDay.objects.get(date=date(2026, 3, 31)).working_day_index

    day = CalendarDay.objects.get(date=date(2026, 3, 10))
    day.kind = CalendarDay.Kind.HOLIDAY
    day.name = "Nghỉ đột xuất do bão"
    day.save()

    assert not CalendarDay.objects.get(date=date(2026, 3, 10)).is_working
    assert CalendarDay.objects.get(date=date(2026, 3, 31)).working_day_index == index_after - 1
    after = services.get_calendar()
    assert after is not before
    assert after.add(vn(2026, 3, 9, 10), 1, "ngay_lam_viec") == vn(2026, 3, 11, 10)
    lines = services.year_listing(2026).lines
    assert (date(2026, 3, 10), "nghi", "Nghỉ đột xuất do bão", "") in lines


@pytest.mark.django_db
def test_admin_edit_makes_a_saturday_working(admin_client):
    day = CalendarDay.objects.get(date=date(2026, 3, 14))  # a Saturday
    url = reverse("admin:workdays_calendarday_change", args=[day.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {
        "date": "2026-03-14", "kind": "makeup", "name": "Làm bù thử nghiệm",
        "legal_basis": "Quyết định thử", "official_schedule": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert CalendarDay.objects.get(pk=day.pk).is_working
    cal = services.get_calendar()
    assert cal.add(vn(2026, 3, 13, 10), 1, "ngay_lam_viec") == vn(2026, 3, 14, 10)
    assert admin_client.get(reverse("admin:workdays_calendarday_changelist") + "?kind__exact=makeup").status_code == 200


@pytest.mark.django_db
def test_office_hours_row_overrides_settings():
    assert services.get_calendar().next_opening(vn(2026, 1, 5, 7)) == vn(2026, 1, 5, 7)
    OfficeHours.objects.create(
        morning_start=time(8),
        morning_end=time(12),
        afternoon_start=time(13),
        afternoon_end=time(17),
        valid_from=date(2026, 1, 1),
    )
    cal = services.get_calendar()
    assert cal.next_opening(vn(2026, 1, 5, 7)) == vn(2026, 1, 5, 8)
    assert cal.add(vn(2026, 1, 5, 8), 1, "ngay_lam_viec") == vn(2026, 1, 5, 17)
    OfficeHours.objects.create(valid_from=date(2026, 6, 1))  # defaults 07:00–11:30, 13:30–17:00
    assert OfficeHours.objects.filter(is_active=True).count() == 1
    assert services.get_calendar().next_opening(vn(2026, 1, 5, 7)) == vn(2026, 1, 5, 7)


# --------------------------------------------------------------------------- commands


EXPECTED_2026 = [
    ("2026-01-01", "nghi"), ("2026-01-02", "nghi"), ("2026-01-10", "lam_bu"),
    ("2026-02-16", "nghi"), ("2026-02-17", "nghi"), ("2026-02-18", "nghi"), ("2026-02-19", "nghi"),
    ("2026-02-20", "nghi"), ("2026-04-27", "nghi"), ("2026-04-30", "nghi"), ("2026-05-01", "nghi"),
    ("2026-08-22", "lam_bu"), ("2026-08-31", "nghi"), ("2026-09-01", "nghi"), ("2026-09-02", "nghi"),
    ("2026-11-24", "nghi"),
]  # fmt: skip


@pytest.mark.django_db
def test_calendar_command_2026():
    out = StringIO()
    call_command("calendar", "2026", stdout=out)
    lines = out.getvalue().splitlines()
    assert [tuple(line.split("\t")[:2]) for line in lines] == EXPECTED_2026
    assert all(len(line.split("\t")) == 3 for line in lines)
    assert lines[8] == (
        "2026-04-27\tnghi\tNghỉ bù Giỗ Tổ Hùng Vương (Chủ nhật 26/04/2026) — Bộ luật Lao động 2019 Điều 111.3, 112.1"
    )
    assert "9441/TB-BNV" in lines[11] and "Ngày Văn hóa Việt Nam" in lines[15]


@pytest.mark.django_db
def test_calendar_command_flags_days_without_a_verified_basis():
    """Issue #10 item 8: the bases recorded for 2026 name the documents, and the ones not checked against
    the text they cite are flagged (the statute's own days are not)."""
    from motcua.workdays.management.commands.calendar import UNVERIFIED

    out = StringIO()
    call_command("calendar", "2026", stdout=out)
    lines = dict(line.split("\t")[0::2] for line in out.getvalue().splitlines())
    assert "Công văn 12729/VPCP-KGVX" in lines["2026-01-02"] and "Công văn 12729/VPCP-KGVX" in lines["2026-01-10"]
    assert "Nghị quyết 28/2026/QH16 Điều 2" in lines["2026-11-24"]
    flagged = {day for day, label in lines.items() if label.endswith(UNVERIFIED)}
    assert flagged == {
        "2026-01-02",
        "2026-01-10",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-08-22",
        "2026-08-31",
        "2026-09-01",
        "2026-11-24",
    }
    out = StringIO()
    call_command("calendar", "2025", stdout=out)
    lines = dict(line.split("\t")[0::2] for line in out.getvalue().splitlines())
    assert "Thông báo 6150/TB-BLĐTBXH" in lines["2025-05-02"] and lines["2025-05-02"].endswith(UNVERIFIED)
    assert not lines["2025-04-30"].endswith(UNVERIFIED)


@pytest.mark.django_db
def test_calendar_command_fallback_year_says_so():
    out = StringIO()
    call_command("calendar", "2030", stdout=out)
    first, *data = out.getvalue().splitlines()
    assert first.startswith("# 2030: không có lịch chính thức")
    assert data[0].startswith("2030-01-01\tnghi\t")
    assert all(line.count("\t") == 2 and not line.startswith("#") for line in data)


@pytest.mark.django_db
def test_deadline_command_uses_db_calendar():
    out = StringIO()
    call_command("deadline", "--start", "2026-02-13T10:00", "--duration", "1 ngay_lam_viec", stdout=out)
    assert out.getvalue().strip() == "2026-02-23T10:00:00+07:00"
    out = StringIO()
    call_command("deadline", "--start", "2026-01-05T08:30:00Z", "--duration", "2 gio_lam_viec",
                 "--cutoff", "15:00", stdout=out)  # fmt: skip
    assert out.getvalue().strip() == "2026-01-06T09:00:00+07:00"  # 15:30 local > cut-off


def run_cli(tmp_path, *args):
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the installed command's own settings, as a user runs it
    code = "from motcua.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


def test_deadline_cli_without_database(tmp_path):
    result = run_cli(tmp_path, "deadline", "--start", "2026-01-05 07:00", "--duration", "1 ngay_lam_viec")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2026-01-05T17:00:00+07:00\n"


@pytest.mark.parametrize("args", [
    ["--start", "hôm qua", "--duration", "1 ngay_lam_viec"],
    ["--start", "2026-01-05T07:00", "--duration", "1 tuan"],
    ["--start", "2026-01-05T07:00", "--duration", "-1 ngay"],
    ["--start", "2026-01-05T07:00", "--duration", "1 ngay", "--cutoff", "25:00"],
    ["--duration", "1 ngay"],
    ["--start", "2099-01-05T07:00", "--duration", "1 ngay"],
])  # fmt: skip
def test_deadline_cli_bad_input(tmp_path, args):
    result = run_cli(tmp_path, "deadline", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def unreadable_calendar_table():
    """The calendar table replaced by one without its columns (a real database error, nothing mocked)."""
    from django.db import connection

    table = CalendarDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
        cursor.execute(f"CREATE TABLE {table} (id integer)")


@pytest.mark.django_db
def test_an_unreadable_calendar_table_is_an_error_not_the_builtin_calendar(unreadable_calendar_table, caplog):
    with caplog.at_level("ERROR", logger="motcua.workdays"), pytest.raises(services.CalendarUnavailable) as caught:
        services.get_calendar()
    assert "Không đọc được lịch ngày làm việc" in caught.value.message
    assert "working-day calendar table not readable" in caplog.text


@pytest.mark.django_db
def test_the_deadline_command_reports_an_unreadable_calendar_table(unreadable_calendar_table, capsys):
    with pytest.raises(SystemExit) as caught:
        call_command("deadline", "--start", "2026-02-13T10:00", "--duration", "1 ngay_lam_viec")
    assert caught.value.code == 2
    assert "Không đọc được lịch ngày làm việc" in capsys.readouterr().err


@pytest.mark.django_db
def test_before_migrate_the_official_calendar_is_used(caplog):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {CalendarDay._meta.db_table} RENAME TO calendar_not_yet")
    with caplog.at_level("WARNING", logger="motcua.workdays"):
        calendar = services.get_calendar()
    assert calendar.add(vn(2026, 2, 13, 10), 1, "ngay_lam_viec") == vn(2026, 2, 23, 10)  # Tết from official data
    assert "run migrate" in caplog.text
