"""Points at risk on 5.2 and 5.3: the unit page lists the open complaints of the unit's subtree past their running
deadline (answer, or publication once approved), with those turning late within one working day, from the
complaints' stored deadlines (plain queries, no engine run in the request)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.feedback import services as feedback
from motcua.index766.periods import parse_period
from motcua.scoreboard import services
from motcua.workdays.services import get_calendar
from tests.factories import vn

from .conftest import store_scores

pytestmark = pytest.mark.django_db


def complaint(unit, code, submitted_at):
    made, _ = feedback.register_complaint(
        code=code, unit=unit, category="quy_dinh", title=f"Phản ánh {code}", content="...", submitted_at=submitted_at
    )
    return made


def listed(html: str) -> list[str]:
    if 'id="late-complaints-list"' not in html:
        return []
    start = html.index('id="late-complaints-list"')
    return re.findall(r">([^<]+)</a>", html[start : html.index("</ul>", start)])


def unit_page(client, code, period):
    response = client.get(reverse("scoreboard:unit", args=[code]), {"period": period.code})
    assert response.status_code == 200
    return response, htmllib.unescape(response.content.decode())


def test_late_and_due_soon_in_the_subtree(province_units):
    province, (s1, s2, _s3), (x1, *_rest) = province_units
    now = vn(2026, 3, 20, 10)  # Friday
    complaint(s1, "S1-TRE", vn(2026, 2, 2, 8))  # 15 working days ended in February
    complaint(s1, "S1-MOI", vn(2026, 3, 19, 8))
    soon = complaint(s2, "S2-SAP", vn(2026, 3, 2, 8))  # its 120 hours end within a working day of now
    assert 0 < get_calendar().working_hours_between(now, soon.due_at) < 8
    done = complaint(s2, "S2-XONG", vn(2026, 2, 2, 8))
    feedback.refuse(done, reason="Không phải PAKN", at=vn(2026, 2, 3, 8))
    complaint(x1, "X1-TRE", vn(2026, 1, 5, 8))
    assert services.late_complaints(s1, now=now) == services.LateComplaints(1, ["S1-TRE"], 0)
    everything = services.late_complaints(province, now=now)
    assert everything.codes == ["X1-TRE", "S1-TRE"] and everything.count == 2 and everything.due_soon == 1
    with CaptureQueriesContext(connection) as queries:
        services.late_complaints(province, now=now)
    assert len(queries) <= 3


def test_unit_page_lists_late_complaints_on_5_2_and_5_3(client, control_client, province_units):
    province, (s1, *_), _communes = province_units
    period = parse_period(services.default_period())
    store_scores(province, period.code, 0.8)
    now = timezone.now()
    complaint(s1, "S1-QUA-HAN", now - timedelta(days=60))
    complaint(s1, "S1-MOI", now)
    response, html = unit_page(control_client, "T01", period)
    assert response.context["late_complaints"].count == 1
    assert 'id="late-complaints-count">1<' in html and listed(html) == ["S1-QUA-HAN"]
    assert f'href="{reverse("workspace:complaint", args=["S1-QUA-HAN"])}"' in html
    for code in ("5.2", "5.3"):
        row = html[html.index(f'id="indicator-{code}"') : html.index("</tr>", html.index(f'id="indicator-{code}"'))]
        assert "late-complaints-badge" in row and "1 PAKN quá hạn" in row
    row = html[html.index('id="indicator-5.4"') : html.index("</tr>", html.index('id="indicator-5.4"'))]
    assert "late-complaints-badge" not in row


def test_the_list_is_capped_the_count_exact_and_only_for_an_open_period(control_client, province_units):
    _province, (s1, *_), _communes = province_units
    base = timezone.now() - timedelta(days=90)
    for i in range(services.LATE_COMPLAINTS_LIST + 3):
        complaint(s1, f"S1-TRE-{i:03d}", base + timedelta(minutes=i))
    response, html = unit_page(control_client, "T01.S1", parse_period(services.default_period()))
    assert response.context["late_complaints"].count == services.LATE_COMPLAINTS_LIST + 3
    assert listed(html)[0] == "S1-TRE-000" and len(listed(html)) == services.LATE_COMPLAINTS_LIST
    response, html = unit_page(control_client, "T01.S1", parse_period("2025-06"))
    assert "late_complaints" not in response.context and 'id="late-complaints"' not in html


def test_only_within_the_officials_units(desk_client, province_units):
    _province, (s1, s2, _s3), _communes = province_units
    period = parse_period(services.default_period())
    complaint(s1, "S1-TRE", timezone.now() - timedelta(days=60))
    complaint(s2, "S2-TRE", timezone.now() - timedelta(days=60))
    _response, own = unit_page(desk_client, "T01.S1", period)
    assert listed(own) == ["S1-TRE"]
    response, other = unit_page(desk_client, "T01.S2", period)
    assert "late_complaints" not in response.context and "S2-TRE" not in other
