"""The scoreboard over the real engine: a tiny hand-made province imported into the database,
scored and stored by ``motcua snapshots``, then read by the pages (explain, late dossiers).

Ibis reads committed data through its own connection: transactional tests, and on SQLite
a file copy of the test database (``file_database``, as tests/index766/test_database_source.py).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from motcua.index766.models import IndicatorSnapshot
from motcua.org.models import Role, Unit
from motcua.workdays.services import get_calendar
from tests.factories import official, vn
from tests.index766.builders import dossier, procedure, unit, write_set

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pinned_now", "file_database"),  # "now" pinned: the open dossier is always due in June
    # Ibis 12 calls DuckDB's deprecated APIs; pandas 3 warns on an option Ibis reads.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*infer_string.*"),
]

PERIOD = "2026-03"


def _open_dossier() -> dict:
    """Received yesterday, due in three days, still in progress: on time now, late at year end."""
    today = timezone.localdate()
    received = (today - timedelta(days=1)).isoformat() + "T08:00"
    due = (today + timedelta(days=3)).isoformat() + "T17:00"
    return dossier("S1-OPEN", "1.000101", "P1.S1", received, due, log=[(2, received)])


@pytest.fixture
def province(tmp_path):
    from motcua.interchange.importer import import_exchange_set

    folder = write_set(
        tmp_path / "set",
        units=[
            unit("P1", "TINH"),
            unit("P1.S1", "SO", "P1"),
            unit("P1.S2", "SO", "P1"),
            unit("P1.X1", "XA", "P1"),
            unit("P1.X2", "XA", "P1"),
        ],
        procedures=[procedure("1.000101", ("TINH", "XA"))],
        dossiers=[
            # S1: one on time, one finished three days late -> 2.1 = 1/2.
            dossier(
                "S1-A",
                "1.000101",
                "P1.S1",
                "2026-03-02T08:00",
                "2026-03-09T17:00",
                log=[(2, "2026-03-02T08:00"), (4, "2026-03-02T09:00"), (9, "2026-03-05T10:00")],
            ),
            dossier(
                "S1-B",
                "1.000101",
                "P1.S1",
                "2026-03-02T08:00",
                "2026-03-09T17:00",
                log=[(2, "2026-03-02T08:00"), (4, "2026-03-02T09:00"), (9, "2026-03-12T10:00")],
            ),
            # S2: both on time -> 2.1 = 2/2.
            dossier(
                "S2-A",
                "1.000101",
                "P1.S2",
                "2026-03-03T08:00",
                "2026-03-10T17:00",
                log=[(2, "2026-03-03T08:00"), (9, "2026-03-04T10:00")],
            ),
            dossier(
                "S2-B",
                "1.000101",
                "P1.S2",
                "2026-03-03T08:00",
                "2026-03-10T17:00",
                log=[(2, "2026-03-03T08:00"), (9, "2026-03-04T11:00")],
            ),
            dossier(
                "X1-A",
                "1.000101",
                "P1.X1",
                "2026-03-04T08:00",
                "2026-03-11T17:00",
                log=[(2, "2026-03-04T08:00"), (9, "2026-03-06T10:00")],
            ),
            _open_dossier(),
        ],
    )
    report = import_exchange_set(folder)
    assert report.ok, report.errors[:3]
    return Unit.objects.get(code="P1")


def test_snapshots_command_stores_and_pages_read_them(client, province, capsys, django_assert_max_num_queries):
    call_command("snapshots", "--period", PERIOD, "--period", "2026-Q1")
    assert "Đã lưu" in capsys.readouterr().out
    assert set(IndicatorSnapshot.objects.values_list("period", flat=True).distinct()) == {PERIOD, "2026-Q1"}
    s1 = IndicatorSnapshot.objects.get(unit__code="P1.S1", period=PERIOD, indicator="2.1")
    assert (s1.numerator, s1.denominator, float(s1.score)) == (1, 2, 10.0)

    client.force_login(official("kiemsoat_p", province, Role.CONTROL_OFFICER))
    response = client.get(reverse("scoreboard:overview"), {"period": PERIOD})
    departments = next(t for t in response.context["tables"] if t["kind"] == "SO")
    ranked = [r.code for r in departments["page"]]
    assert ranked == ["P1.S2", "P1.S1"]  # S2 has every dossier on time
    s1_row = next(r for r in departments["page"] if r.code == "P1.S1")
    assert s1_row.groups["TDGQ"] == 10

    # The unit page lists the late dossier as the record that lost 10 points on 2.1.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("scoreboard:unit", args=["P1.S1"]), {"period": PERIOD, "indicator": "2.1"})
    assert response.status_code == 200
    records = list(response.context["records"])
    assert [(r.record, r.points) for r in records] == [("S1-B", 10.0)]
    html = response.content.decode()
    assert "S1-B" in html and "10" in html
    assert response.context["risk_possible"] is False  # March is over: nothing left at risk

    # HTMX asks for the panel only.
    response = client.get(
        reverse("scoreboard:unit", args=["P1.S1"]),
        {"period": PERIOD, "indicator": "2.1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="detail",
    )
    assert b"<html" not in response.content and b"S1-B" in response.content

    # The monthly late list: the same dossier, due 09/03 17:00, finished 12/03 10:00.
    with django_assert_max_num_queries(10):  # the engine reads through Ibis' own connection (+ its table check)
        response = client.get(reverse("scoreboard:late-dossiers"), {"period": PERIOD})
    rows = list(response.context["page"])
    assert [r.code for r in rows] == ["S1-B"]
    assert rows[0].due_at.strftime("%d/%m/%Y %H:%M") == "09/03/2026 17:00"
    assert rows[0].finished_at.strftime("%d/%m/%Y %H:%M") == "12/03/2026 10:00"
    expected = get_calendar().working_hours_between(vn(2026, 3, 9, 17), vn(2026, 3, 12, 10))
    assert 16 < expected < 24 and rows[0].hours_late == pytest.approx(expected)  # two whole days and a morning
    book = load_workbook(
        io.BytesIO(client.get(reverse("scoreboard:late-dossiers"), {"period": PERIOD, "format": "xlsx"}).content)
    ).active
    assert [c.value for c in book[5]][:3] == ["Mã hồ sơ", "Mã đơn vị", "Tên đơn vị"]
    assert book.cell(6, 1).value == "S1-B" and book.cell(6, 7).value == pytest.approx(expected)


def test_compute_button_stores_a_period(client, province):
    client.force_login(official("kiemsoat_p", province, Role.CONTROL_OFFICER))
    response = client.post(reverse("scoreboard:compute"), {"period": PERIOD})
    assert response.status_code == 302
    assert IndicatorSnapshot.objects.filter(period=PERIOD, unit__code="P1").count() > 20


def test_points_at_risk_in_the_current_year(client, province):
    year = str(timezone.localdate().year)
    call_command("snapshots", "--period", year)
    client.force_login(official("kiemsoat_p", province, Role.CONTROL_OFFICER))
    url = reverse("scoreboard:unit", args=["P1.S1"])
    response = client.get(url, {"period": year, "indicator": "2.1"})
    assert response.context["risk_possible"] is True
    assert 'hx-trigger="load"' in response.content.decode()  # the forecast loads in a second request
    response = client.get(
        url, {"period": year, "indicator": "2.1", "risk": "1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="risk"
    )
    assert b"<html" not in response.content
    items = list(response.context["risk_page"])
    assert [i.record for i in items] == ["S1-OPEN"]
    assert items[0].points > 0 and "2.1" in items[0].indicators
    assert 0 < items[0].working_hours_left <= 4 * 9
    assert "còn" in response.content.decode() and "giờ làm việc" in response.content.decode()
    # Without HTMX the same request is a whole page with the panel in it.
    page = client.get(url, {"period": year, "indicator": "2.1", "risk": "1"})
    assert b"<html" in page.content and b"S1-OPEN" in page.content


@pytest.mark.slow
def test_demo_stores_the_snapshots_the_scoreboard_needs(capsys, monkeypatch):
    """``motcua demo --no-serve``: the current periods and the months of the year are stored.

    Each period costs seconds of fixed engine time, so the trend here is cut to last month.
    """
    from motcua.index766.tasks import current_periods
    from motcua.scoreboard import services

    real_periods_of_year = services.periods_of_year

    def periods_of_year(year, kinds=("month",), today=None):
        return real_periods_of_year(year, kinds, today)[-2:]

    monkeypatch.setattr(services, "periods_of_year", periods_of_year)
    call_command("demo", no_serve=True, dossiers=300)
    out = capsys.readouterr().out
    assert "Đã tính bảng điểm 766" in out
    today = timezone.localdate()
    expected = set(periods_of_year(today.year, ("month",), today)) | set(current_periods(today))
    assert set(IndicatorSnapshot.objects.values_list("period", flat=True).distinct()) == expected
    call_command("demo", no_serve=True, dossiers=300)  # nothing left to compute the second time
    assert "Đã tính bảng điểm 766" not in capsys.readouterr().out
