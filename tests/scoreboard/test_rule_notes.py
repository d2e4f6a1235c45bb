"""The scoreboard says where its scores follow the portal's rules and differ from the written
decision (interchange.md §4.1), and shows 3.1 at a commune as scored at the province only."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from motcua.index766.models import IndicatorSnapshot
from motcua.index766.registry import RULE_NOTES
from motcua.scoreboard import services

from .conftest import PERIOD

PAKN = "PAKN chưa xử lý xong được tính theo hạn cuối kỳ, như Cổng DVCQG"


def test_overview_and_unit_pages_list_the_portal_rules(control_client, scored):
    for url in (reverse("scoreboard:overview"), reverse("scoreboard:unit", args=["T01.X1"])):
        response = control_client.get(url, {"period": PERIOD})
        html = response.content.decode()
        assert 'id="rules"' in html and PAKN in html, url
        # One note per §4.1 switch, every one the portal's (the stored tuples use the defaults).
        assert [r["switch"] for r in response.context["rules"]] == list(RULE_NOTES)
        assert all(r["portal"] for r in response.context["rules"])
        assert "theo văn bản" not in html.split('id="rules"')[1]


def test_indicator_detail_says_which_rule_changes_it(control_client, scored):
    unit = reverse("scoreboard:unit", args=["T01.X1"])
    html = control_client.get(
        unit, {"period": PERIOD, "indicator": "5.2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail"
    ).content.decode()
    assert PAKN in html and 'data-switch="pakn_judged_at"' in html
    assert 'data-switch="service_key"' not in html
    html = control_client.get(
        unit, {"period": PERIOD, "indicator": "3.2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail"
    ).content.decode()
    assert 'data-switch="service_key"' in html and 'data-switch="catalogue_at"' in html and PAKN not in html


def test_3_1_at_a_commune_is_not_a_lost_point(control_client, scored):
    # As the engine stores it (procedure_lists=portal): no numerator or denominator, 0, the note.
    IndicatorSnapshot.objects.filter(unit__code="T01.X1", period=PERIOD, indicator="3.1").update(
        numerator=None,
        denominator=None,
        ratio=None,
        score=0,
        note="Chỉ tính cho cấp tỉnh (T01), như Cổng DVCQG: không tính cho đơn vị này.",
    )
    response = control_client.get(reverse("scoreboard:unit", args=["T01.X1"]), {"period": PERIOD})
    row = next(i for i in response.context["indicators"] if i.code == "3.1")
    assert row.province_only and row.lost == 0 and not row.has_records
    html = response.content.decode()
    cell = html.split('id="indicator-3.1"')[1].split("</tr>")[0]
    assert "chỉ tính cho cấp tỉnh" in cell and "Hồ sơ mất điểm" not in cell
    detail = control_client.get(
        reverse("scoreboard:unit", args=["T01.X1"]),
        {"period": PERIOD, "indicator": "3.1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="detail",
    ).content.decode()
    assert "chỉ tính cho cấp tỉnh, như Cổng DVCQG: đơn vị không bị trừ điểm" in detail
    # The province itself is scored on it, as usual.
    province = control_client.get(reverse("scoreboard:unit", args=["T01"]), {"period": PERIOD})
    p31 = next(i for i in province.context["indicators"] if i.code == "3.1")
    assert not p31.province_only and p31.lost == p31.max_points - p31.score
    assert "province-only" not in province.content.decode()


def test_exports_have_the_rules_sheet(control_client, scored):
    export = reverse("scoreboard:export")
    for params in ({"scope": "overview"}, {"scope": "unit", "unit": "T01.S1"}):
        book = load_workbook(io.BytesIO(control_client.get(export, {"period": PERIOD, **params}).content))
        assert book.sheetnames[-1] == "Quy tắc"
        rows = list(book["Quy tắc"].iter_rows(min_row=6, values_only=True))
        assert [r[0] for r in rows] == list(RULE_NOTES)
        assert any(PAKN in r[4] for r in rows)
        assert {r[2] for r in rows} == {"Như Cổng DVCQG, khác văn bản"}


def test_rule_notes_of_one_indicator():
    assert [r["switch"] for r in services.rule_notes("5.3")] == ["pakn_judged_at", "rounding"]
    assert [r["switch"] for r in services.rule_notes("3.1")] == ["procedure_lists", "catalogue_at", "rounding"]
