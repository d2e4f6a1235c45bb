"""Points at risk on 1.4 and 3.3: the unit page lists the dossiers received in the period that the portal has
not acknowledged yet (NgayDongBo empty), counted on the unit's subtree with a plain query, the list capped."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.index766.periods import parse_period
from motcua.scoreboard import services
from tests.factories import procedure, vn

from .conftest import store_scores

pytestmark = pytest.mark.django_db


def dossier(unit, code, received_at, synced_at=None) -> Dossier:
    return Dossier.objects.create(
        code=code,
        procedure=procedure_row(),
        handling_unit=unit,
        receiving_unit=unit,
        received_at=received_at,
        synced_at=synced_at,
        status=4,
    )


def procedure_row():
    from motcua.catalog.models import Procedure

    return Procedure.objects.first() or procedure()


def current():
    """This month, and an instant in it that has already passed (even in the month's first second)."""
    period = parse_period(services.default_period())
    return period, max(period.start + timedelta(seconds=1), timezone.now() - timedelta(minutes=1))


def listed(html: str) -> list[str]:
    if 'id="unsynced-list"' not in html:
        return []
    block = html[html.index('id="unsynced-list"') : html.index("</ul>", html.index('id="unsynced-list"'))]
    return re.findall(r">([^<]+)</a>", block)


def unit_page(client, code, period):
    response = client.get(reverse("scoreboard:unit", args=[code]), {"period": period.code})
    assert response.status_code == 200
    return response, htmllib.unescape(response.content.decode())


def test_window_subtree_and_acknowledgement(province_units):
    province, (s1, s2, _s3), (x1, *_rest) = province_units
    period = parse_period("2026-03")
    now = vn(2026, 3, 20, 10)
    dossier(s1, "S1-TRUOC-KY", vn(2026, 2, 28, 23, 59))  # received before the period
    dossier(s1, "S1-DAU-KY", vn(2026, 3, 1, 0, 0))
    dossier(s1, "S1-DA-NHAN", vn(2026, 3, 2, 9), synced_at=vn(2026, 3, 2, 9, 1))  # acknowledged by the portal
    dossier(s2, "S2-CHUA", vn(2026, 3, 5, 9))
    dossier(x1, "X1-CHUA", vn(2026, 3, 6, 9))
    dossier(s1, "S1-SAU-T", vn(2026, 3, 21, 9))  # after T: not received yet as of now
    assert services.unsynced_dossiers(period, s1, now=now) == services.Unsynced(1, ["S1-DAU-KY"])
    everything = services.unsynced_dossiers(period, province, now=now)
    assert everything.count == 3 and everything.codes == ["S1-DAU-KY", "S2-CHUA", "X1-CHUA"]


def test_unit_page_lists_unacknowledged_dossiers_as_points_at_risk(control_client, province_units):
    province, (s1, s2, _s3), _communes = province_units
    period, at = current()
    store_scores(province, period.code, 0.8)
    dossier(s1, "S1-CHO-1", at)
    dossier(s2, "S2-CHO-1", at)
    dossier(s2, "S2-DA-NHAN", at, synced_at=at)
    response, html = unit_page(control_client, "T01", period)
    assert response.context["unsynced"].count == 2
    assert 'id="unsynced-count">2<' in html
    assert sorted(listed(html)) == ["S1-CHO-1", "S2-CHO-1"]
    assert f'href="{reverse("workspace:dossier", args=["S1-CHO-1"])}"' in html and "S2-DA-NHAN" not in html
    assert "1.4 và 3.3" in html
    # The 1.4 and 3.3 rows point to the list; the others do not.
    for code in ("1.4", "3.3"):
        row = html[html.index(f'id="indicator-{code}"') : html.index("</tr>", html.index(f'id="indicator-{code}"'))]
        assert "unsynced-badge" in row and "2 hồ sơ chưa được Cổng xác nhận" in row
    row_21 = html[html.index('id="indicator-2.1"') : html.index("</tr>", html.index('id="indicator-2.1"'))]
    assert "unsynced-badge" not in row_21


def test_the_list_is_capped_and_the_count_exact(control_client, province_units):
    _province, (s1, *_), _communes = province_units
    period, at = current()
    for i in range(services.UNSYNCED_LIST + 5):
        dossier(s1, f"S1-CHO-{i:03d}", at - timedelta(seconds=i))
    response, html = unit_page(control_client, "T01.S1", period)
    assert response.context["unsynced"].count == services.UNSYNCED_LIST + 5
    assert len(listed(html)) == services.UNSYNCED_LIST
    assert listed(html)[0] == f"S1-CHO-{services.UNSYNCED_LIST + 4:03d}"  # the longest waiting first
    assert f"Hiện {services.UNSYNCED_LIST} hồ sơ chờ lâu nhất" in html


def test_shown_without_stored_scores_and_when_everything_is_acknowledged(control_client, province_units):
    _province, (s1, *_), _communes = province_units
    period, at = current()
    dossier(s1, "S1-DA-NHAN", at, synced_at=at)
    response, html = unit_page(control_client, "T01.S1", period)
    assert response.context["unsynced"].count == 0
    assert "Mọi hồ sơ tiếp nhận trong kỳ đã được Cổng DVCQG xác nhận" in html


def test_only_within_the_officials_units(desk_client, province_units):
    _province, (s1, s2, _s3), _communes = province_units
    period, at = current()
    dossier(s1, "S1-CHO-1", at)
    dossier(s2, "S2-CHO-1", at)
    _response, own = unit_page(desk_client, "T01.S1", period)
    assert listed(own) == ["S1-CHO-1"]
    response, other = unit_page(desk_client, "T01.S2", period)
    assert "unsynced" not in response.context and "S2-CHO-1" not in other


def test_not_at_risk_once_the_period_is_over(control_client, province_units):
    _province, (s1, *_), _communes = province_units
    dossier(s1, "S1-NAM-TRUOC", vn(2025, 6, 10, 9))
    response, html = unit_page(control_client, "T01.S1", parse_period("2025-06"))
    assert "unsynced" not in response.context and 'id="unsynced"' not in html
