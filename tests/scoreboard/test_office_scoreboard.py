"""Issue #10 item 13: the scoreboard as a control officer reads it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motcua.index766.models import IndicatorSnapshot
from motcua.index766.periods import parse_period
from motcua.index766.snapshots import compare_with_portal
from motcua.org.models import Unit
from motcua.scoreboard import services
from motcua.scoreboard.templatetags.scoreboard import hours_late

from .conftest import PERIOD, store_scores

OVERVIEW = reverse("scoreboard:overview")


def _rows(response, kind):
    table = next(t for t in response.context["tables"] if t["kind"] == kind)
    return [(r.rank, r.code) for r in table["page"]]


def test_a_unit_without_data_says_so_and_is_not_ranked(control_client, scored):
    province, departments, communes = scored
    IndicatorSnapshot.objects.filter(unit=communes[3], period=PERIOD).update(numerator=0, denominator=0)
    from motcua.index766 import snapshots

    snapshots.bump_version(PERIOD)
    response = control_client.get(OVERVIEW, {"period": PERIOD})
    assert _rows(response, "XA") == [(1, "T01.X1"), (2, "T01.X2"), (3, "T01.X3"), (None, "T01.X4")]
    html = response.content.decode()
    row = html[html.index('data-code="T01.X4"') :]
    assert "không có dữ liệu" in row[: row.index("</tr>")]


def test_an_abolished_unit_is_not_ranked_after_it_ended(control_client, scored):
    province, departments, communes = scored
    Unit.objects.filter(pk=communes[0].pk).update(valid_to=date(2026, 2, 28))
    response = control_client.get(OVERVIEW, {"period": PERIOD})
    assert _rows(response, "XA") == [(1, "T01.X2"), (2, "T01.X3"), (3, "T01.X4"), (None, "T01.X1")]
    assert "không xếp hạng" in response.content.decode()


def test_periods_are_written_as_officials_write_them():
    assert services.period_label(parse_period("2026-12")) == "Tháng 12/2026"
    assert services.period_label(parse_period("2026-03")) == "Tháng 3/2026"
    assert services.period_label(parse_period("2026-Q4")) == "Quý IV/2026"


def test_lateness_in_working_days_and_hours():
    assert hours_late(19.5) == "2 ngày 3,5 giờ làm việc"
    assert hours_late(16) == "2 ngày làm việc"
    assert hours_late(5) == "5 giờ làm việc"


def test_group_columns_carry_the_short_names(control_client, scored):
    html = control_client.get(OVERVIEW, {"period": PERIOD}).content.decode()
    for short in ("Công khai", "Tiến độ", "DVC trực tuyến", "Thanh toán", "Hài lòng", "Số hóa"):
        assert f">{short}</a>" in html
    assert ">CKMB</a>" not in html


def test_no_shell_command_and_an_uncomputed_period_is_computed_in_the_background(
    control_client, province_units, monkeypatch
):
    from motcua.scoreboard import tasks

    html = control_client.get(OVERVIEW, {"period": "2026-02"}).content.decode()
    assert "motcua snapshots" not in html and "<code>" not in html
    assert "Chưa có kết quả chỉ số đã lưu cho Tháng 2/2026" in html
    queued = []
    monkeypatch.setattr(tasks, "compute_period", queued.append)  # the worker's side is tested in test_engine
    response = control_client.post(reverse("scoreboard:compute"), {"period": "2026-02"}, follow=True)
    assert response.status_code == 200 and queued == ["2026-02"]
    page = response.content.decode()
    assert "ở chế độ nền" in page and 'id="computing"' in page  # progress, polled by the page
    control_client.post(reverse("scoreboard:compute"), {"period": "2026-02"})
    assert queued == ["2026-02"]  # asked twice while running: queued once


def test_a_running_computation_shows_progress(control_client, province_units):
    from django.core.cache import cache

    from motcua.scoreboard.tasks import COMPUTING_KEY

    cache.set(COMPUTING_KEY.format(period="2026-02"), {"state": "running", "started": "2026-03-01T00:00:00"})
    html = control_client.get(OVERVIEW, {"period": "2026-02"}).content.decode()
    assert 'id="computing"' in html and 'hx-trigger="every 3s"' in html and "Đang tính" in html


def test_compare_does_not_report_the_portals_ways_of_writing_nothing(province_units, tmp_path):
    province, departments, communes = province_units
    store_scores(departments[0], PERIOD, 0.5)
    IndicatorSnapshot.objects.filter(unit=departments[0], indicator__in=["5.1a", "5.1b"]).update(
        numerator=0, denominator=4, ratio=0, score=0
    )
    IndicatorSnapshot.objects.filter(unit=departments[0], indicator__in=["5.2", "5.3", "4.6"]).update(
        numerator=0, denominator=0
    )
    code = departments[0].code
    portal = tmp_path / "cong.csv"
    lines = ["MaDonVi,Ky,MaChiSo,TuSo,MauSo,Diem"]
    for s in IndicatorSnapshot.objects.filter(unit=departments[0], indicator__in=["5.2", "5.3", "4.6"]):
        lines.append(f"{code},{PERIOD},{s.indicator},,,")  # no complaints / nothing to count: all blank
    lines.append(f"{code},{PERIOD},5.1a,,4,")  # 0 of 4 and a 0.0 score: the portal writes blanks
    lines.append(f"{code},{PERIOD},5.1b,,4,")
    lines.append(f"{code},{PERIOD},2.1,7,100,1")  # a real difference stays reported
    portal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    differences = compare_with_portal(portal)
    assert {(d.indicator, d.field) for d in differences} == {("2.1", "TuSo"), ("2.1", "Diem")}


pytestmark = pytest.mark.django_db
