"""The scoreboard pages over hand-built snapshots: rankings, bands, trend, unit page, exports, access."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.index766.models import IndicatorSnapshot
from motcua.org.models import Role
from motcua.scoreboard import services
from motcua.scoreboard.texts import EXPLANATIONS
from tests.factories import official
from tests.spreadsheets import HOSTILE, formulas

from .conftest import PERIOD, store_scores

OVERVIEW = reverse("scoreboard:overview")


def _rows(response, kind):
    table = next(t for t in response.context["tables"] if t["kind"] == kind)
    return [(r.rank, r.code) for r in table["page"]]


def test_anonymous_is_sent_to_sign_in(client, db):
    for name, args in (
        ("overview", []),
        ("unit", ["T01"]),
        ("late-dossiers", []),
        ("late-officials", []),
        ("publications", []),
        ("export", []),
    ):
        response = client.get(reverse(f"scoreboard:{name}", args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("access:login")), name


def test_official_without_position_gets_a_vietnamese_403(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    response = client.get(OVERVIEW)
    assert response.status_code == 403
    assert "chưa được giao vai trò" in response.content.decode()


def test_bad_period_is_a_vietnamese_400(control_client):
    response = control_client.get(OVERVIEW, {"period": "2026-13"})
    assert response.status_code == 400
    assert "Kỳ đánh giá không hợp lệ" in response.content.decode()


def test_departments_and_communes_are_ranked_apart(control_client, scored):
    response = control_client.get(OVERVIEW, {"period": PERIOD})
    assert response.status_code == 200
    assert _rows(response, "SO") == [(1, "T01.S2"), (2, "T01.S1"), (3, "T01.S3")]
    communes = _rows(response, "XA")
    assert [c for _, c in communes] == ["T01.X1", "T01.X2", "T01.X3", "T01.X4"]
    assert not any(code.startswith("T01.S") for _, code in communes)
    assert "HUYEN" not in [t["kind"] for t in response.context["tables"]]


def test_sorting_by_a_group_and_filters(control_client, scored):
    response = control_client.get(OVERVIEW, {"period": PERIOD, "sort": "TDGQ"})
    assert [c for _, c in _rows(response, "XA")] == ["T01.X2", "T01.X3", "T01.X1", "T01.X4"]
    response = control_client.get(OVERVIEW, {"period": PERIOD, "q": "bình"})
    assert [c for _, c in _rows(response, "XA")] == ["T01.X1", "T01.X2"]
    response = control_client.get(OVERVIEW, {"period": PERIOD, "band": "Yếu"})
    assert [c for _, c in _rows(response, "XA")] == ["T01.X4"]
    assert [c for _, c in _rows(response, "SO")] == ["T01.S3"]


def test_ranks_are_shared_on_ties(scored):
    rows = services.board(services.resolve_period(PERIOD)).of_kind("SO")
    rows[0].total = rows[1].total
    assert [r.rank for r in services.ranked(rows)] == [1, 1, 3]


def test_province_total_band_and_groups(control_client, scored):
    response = control_client.get(OVERVIEW, {"period": PERIOD})
    province = response.context["province"]
    assert province.code == "T01"
    assert float(province.total) == pytest.approx(85.0, abs=0.05)
    assert province.band == "Tốt"
    html = response.content.decode()
    assert 'id="province-band">Tốt<' in html
    assert "Số liệu do hệ thống tính, không phải số liệu chính thức của Cổng DVCQG" in html
    assert "Tính lúc" in html
    groups = {code: (score, top) for code, _name, score, top in response.context["province_groups"]}
    assert float(groups["TDGQ"][0]) == pytest.approx(17.0) and float(groups["TDGQ"][1]) == 20


@pytest.mark.parametrize(
    ("total", "band"),
    [(95, "Xuất sắc"), (90, "Xuất sắc"), (89.99, "Tốt"), (80, "Tốt"), (75, "Khá"), (50, "Trung bình"), (49.99, "Yếu")],
)
def test_bands_follow_the_spec(total, band):
    from decimal import Decimal

    row = services.UnitRow(1, "X", "X", "XA", None, {}, Decimal(str(total)))
    assert row.band == band


def test_trend_json_has_every_month(control_client, scored):
    response = control_client.get(OVERVIEW, {"period": PERIOD})
    html = response.content.decode()
    start = html.index('id="trend-data"')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert data["labels"][:3] == ["01/2026", "02/2026", "03/2026"]
    assert data["total"][:4] == [
        pytest.approx(60.0, abs=0.1),
        pytest.approx(70.0, abs=0.1),
        pytest.approx(85.0, abs=0.1),
        None,
    ]
    assert [g["code"] for g in data["groups"]] == list(services.GROUP_CODES)
    assert "vendor/chartjs/chart.umd.min.js" in html and "scoreboard/charts.js" in html
    assert "cdn" not in html.lower()


def test_pagination_of_communes(control_client, province_units):
    from motcua.org.models import Unit, UnitKind

    province = province_units[0]
    for i in range(30):
        store_scores(
            Unit.objects.create(code=f"T01.Y{i:02d}", name=f"Phường {i}", kind=UnitKind.COMMUNE, parent=province),
            PERIOD,
            i / 40,
        )
    response = control_client.get(OVERVIEW, {"period": PERIOD, "page_XA": 2})
    table = next(t for t in response.context["tables"] if t["kind"] == "XA")
    assert table["count"] == 30 and table["page"].number == 2 and len(table["page"]) == 5
    assert "page_XA=1" in response.content.decode()


def test_no_snapshots_says_so_and_offers_to_compute(control_client, province_units):
    response = control_client.get(OVERVIEW, {"period": "2026-02"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có kết quả chỉ số đã lưu cho Tháng 2/2026" in html
    assert "motcua snapshots" not in html  # no shell command on a page (issue #10 item 13)
    assert reverse("scoreboard:compute") in html  # the control officer may compute it


def test_desk_officer_sees_scores_but_may_not_compute(desk_client, scored):
    assert desk_client.get(OVERVIEW, {"period": "2026-02"}).status_code == 200
    assert reverse("scoreboard:compute") not in desk_client.get(OVERVIEW, {"period": "2026-02"}).content.decode()
    response = desk_client.post(reverse("scoreboard:compute"), {"period": "2026-02"})
    assert response.status_code == 403


def test_unit_page_shows_every_indicator_and_its_explanation(control_client, scored):
    response = control_client.get(reverse("scoreboard:unit", args=["T01.S1"]), {"period": PERIOD})
    assert response.status_code == 200
    html = response.content.decode()
    codes = [i.code for i in services.formula_set().indicators]
    assert [i.code for i in response.context["indicators"]] == codes
    for code in codes:
        assert f'id="indicator-{code}"' in html
        assert str(EXPLANATIONS[code]) in html
    for header in ("Tử số", "Mẫu số", "Tỷ lệ", "Điểm tối đa", "Chỉ tiêu", "Ghi chú"):
        assert header in html
    assert float(response.context["row"].total) == pytest.approx(75.0, abs=0.05)


def test_every_indicator_has_a_plain_language_text():
    assert set(EXPLANATIONS) == {i.code for i in services.formula_set().indicators}


def test_overview_xlsx_has_the_page_numbers(control_client, scored):
    response = control_client.get(reverse("scoreboard:export"), {"period": PERIOD, "scope": "overview"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Tổng hợp", "Sở, ban, ngành", "Xã, phường, đặc khu"]
    sheet = book["Sở, ban, ngành"]
    header = [c.value for c in sheet[5]]
    assert header[:5] == ["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Xếp loại"]
    assert "Tiến độ giải quyết (TDGQ)" in header
    page = control_client.get(OVERVIEW, {"period": PERIOD})
    shown = [
        (r.rank, r.code, float(r.total), r.band)
        for r in next(t for t in page.context["tables"] if t["kind"] == "SO")["page"]
    ]
    exported = [(row[0], row[1], row[3], row[4]) for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert exported == shown


def test_unit_xlsx_has_every_indicator(control_client, scored):
    response = control_client.get(reverse("scoreboard:export"), {"period": PERIOD, "scope": "unit", "unit": "T01.S2"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[5]][:9] == [
        "Chỉ số",
        "Tên chỉ số",
        "Nhóm",
        "Tử số",
        "Mẫu số",
        "Tỷ lệ",
        "Điểm",
        "Điểm tối đa",
        "Chỉ tiêu",
    ]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=6, values_only=True)}
    page = control_client.get(reverse("scoreboard:unit", args=["T01.S2"]), {"period": PERIOD})
    for ind in page.context["indicators"]:
        assert rows[ind.code][6] == pytest.approx(float(ind.score))
        assert rows[ind.code][5] == pytest.approx(ind.ratio)
    assert rows[None][6] == pytest.approx(95.0, abs=0.05)


def test_exports_write_a_hostile_unit_name_as_text(control_client, scored):
    """A unit name like =HYPERLINK(...) stays text in the workbook, never a live formula."""
    commune = scored[2][0]
    commune.name = HOSTILE
    commune.save()
    export = reverse("scoreboard:export")
    for params in ({"scope": "overview"}, {"scope": "unit", "unit": commune.code}):
        response = control_client.get(export, {"period": PERIOD, **params})
        assert response.status_code == 200
        assert formulas(response.content) == []
        cells = [
            c
            for sheet in load_workbook(io.BytesIO(response.content))
            for row in sheet.iter_rows(values_only=True)
            for c in row
            if isinstance(c, str)
        ]
        assert any(HOSTILE in c or HOSTILE.upper() in c for c in cells)  # titles are upper case


def test_page_query_counts_are_bounded(control_client, scored, django_assert_max_num_queries):
    control_client.get(OVERVIEW, {"period": PERIOD})  # warm the session and the units tree
    with django_assert_max_num_queries(6):
        control_client.get(OVERVIEW, {"period": PERIOD})
    with django_assert_max_num_queries(6):
        control_client.get(reverse("scoreboard:unit", args=["T01.X1"]), {"period": PERIOD})
    with django_assert_max_num_queries(6):
        control_client.get(reverse("scoreboard:export"), {"period": PERIOD, "scope": "overview"})


def test_publications_list_deadlines_in_working_days(control_client, province_units, django_assert_max_num_queries):
    from motcua.catalog.models import PublicationDecision, PublicationItem
    from tests.factories import procedure

    province = province_units[0]
    decision = PublicationDecision.objects.create(
        number="123/QĐ-UBND", unit=province, decided_on=date(2026, 11, 20), kind="them_moi"
    )
    for i in range(3):
        PublicationItem.objects.create(
            decision=decision, procedure=procedure(code=f"1.00000{i}"), basis_effective_on=date(2026, 12, 1)
        )
    url = reverse("scoreboard:publications")
    control_client.get(url)
    with django_assert_max_num_queries(7):
        response = control_client.get(url, {"period": "2026-11"})
    rows = list(response.context["page"])
    assert len(rows) == 3
    # Decided Friday 20/11; 24/11 (Ngày Văn hóa Việt Nam) is a day off from 2026, so the five working
    # days after are 23, 25, 26, 27 and 30/11; the basis takes effect 01/12, so the decision was due
    # 23/11 (five working days before) and is on time.
    assert rows[0].publish_last_day == date(2026, 11, 30)
    assert rows[0].decision_deadline == date(2026, 11, 23) and rows[0].decision_on_time is True
    assert "ngày làm việc" in response.content.decode()
    book = load_workbook(io.BytesIO(control_client.get(url, {"format": "xlsx"}).content)).active
    assert [c.value for c in book[5]][0:2] == ["Số quyết định", "Ngày quyết định"]
    assert book.max_row == 5 + 3


def test_late_officials_lists_the_step_and_exports(control_client, province_units, django_assert_max_num_queries):
    from motcua.dossiers import services as dossier_services
    from tests.factories import procedure, vn, workflow

    department = province_units[1][0]
    proc = procedure()
    steps = workflow(proc, department)
    specialist = official("chuyenvien_t", department, Role.SPECIALIST)
    dossier = dossier_services.receive(
        procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 8)
    )
    dossier_services.start_processing(dossier, step=steps[0], assignee=specialist, at=vn(2026, 3, 2, 9))
    dossier_services.hand_off(dossier, step=steps[1], actor=specialist, at=vn(2026, 3, 6, 9))  # 8 h allotted
    url = reverse("scoreboard:late-officials")
    control_client.get(url, {"period": PERIOD})
    with django_assert_max_num_queries(12):
        response = control_client.get(url, {"period": PERIOD})
    assert response.status_code == 200
    rows = {r.official_id: r for r in response.context["page"]}
    # The appraisal step (8 h, done after 4 days) by the specialist; the next step, still open
    # and unassigned, is late too (its deadline passed long before now).
    assert rows[specialist.pk].unit_code == department.code and rows[specialist.pk].late_steps == 1
    assert set(rows) == {specialist.pk, None}
    assert "(chưa xác định cán bộ)" in response.content.decode()
    book = load_workbook(io.BytesIO(control_client.get(url, {"period": PERIOD, "format": "xlsx"}).content)).active
    assert [c.value for c in book[5]] == [
        "Cán bộ",
        "Mã đơn vị",
        "Số bước xử lý trễ hạn",
        "Số hồ sơ",
        "Tổng số giờ làm việc quá hạn",
    ]
    assert book.cell(6, 2).value == department.code and book.cell(6, 3).value == 1 and book.max_row == 7


def test_list_pages_keep_to_the_officials_units(desk_client, province_units):
    other = province_units[1][1]
    response = desk_client.get(reverse("scoreboard:late-officials"), {"period": PERIOD, "unit": other.code})
    assert response.status_code == 403
    response = desk_client.get(reverse("scoreboard:late-officials"), {"period": PERIOD})
    assert response.status_code == 200 and response.context["scope"] == province_units[1][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "Kỳ đánh giá không hợp lệ"),
        (["--period", "2099-01"], "chưa bắt đầu"),
        (["--year", "2026", "--kinds", "week"], "--kinds chỉ nhận"),
        (["--year", "2026", "--period", "2026-01"], "không dùng cả hai"),
    ],
)
def test_snapshots_command_refuses_bad_arguments_in_vietnamese(args, message, capsys, db):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_info:
        call_command("snapshots", *args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_periods_of_a_year_stop_today():
    assert services.periods_of_year(2026, today=date(2026, 5, 10)) == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-Q1",
        "2026-Q2",
        "2026-H1",
        "2026",
    ]
    assert services.periods_of_year(2026, ("quarter",), today=date(2026, 12, 31)) == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]


def test_dossier_lists_of_other_units_are_not_shown(desk_client, scored):
    other = scored[1][1]
    response = desk_client.get(reverse("scoreboard:unit", args=[other.code]), {"period": PERIOD, "indicator": "2.1"})
    assert response.status_code == 200  # the scores are for everyone
    assert "Bạn chỉ xem được danh sách hồ sơ của đơn vị mình" in response.content.decode()
    assert "records" not in response.context


def test_unknown_indicator_is_a_vietnamese_400(control_client, scored):
    response = control_client.get(reverse("scoreboard:unit", args=["T01.S1"]), {"period": PERIOD, "indicator": "9.9"})
    assert response.status_code == 400 and "Không có chỉ số «9.9»" in response.content.decode()


def test_the_board_is_cached_until_the_period_is_stored_again(
    province_units, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from motcua.index766.snapshots import store
    from motcua.scoreboard import services

    province, departments, _communes = province_units
    store_scores(province, PERIOD, 0.5)
    period = services.resolve_period(PERIOD)
    first = services.board(period)
    with django_assert_max_num_queries(0):
        assert services.board(period) == first  # served from the cache
    IndicatorSnapshot.objects.filter(unit=province, period=PERIOD).update(score=0)  # not through store()
    assert services.board(period) == first
    report = type("Report", (), {})  # the smallest ScoreReport store() accepts: one unit, one indicator
    report.as_of = first.as_of
    report.to_json = lambda: {
        "period": {"code": PERIOD},
        "formula_set": "portal-2026",
        "units": [
            {
                "unit": province.code,
                "indicators": [
                    {
                        "code": "2.1",
                        "numerator": 1,
                        "denominator": 1,
                        "ratio": 1.0,
                        "score": 20.0,
                        "max": 20,
                        "target": None,
                        "note": "",
                    }
                ],
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        store(report)
    assert services.board(period).province.groups["TDGQ"] == 20
