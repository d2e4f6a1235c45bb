"""Scoreboard fixtures: a small province, stored snapshots built by hand, signed-in officials."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.index766 import snapshots
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.registry import GROUPS, get_formula_set
from motcua.org import tree
from motcua.org.models import Role, Unit, UnitKind
from tests.factories import official
from tests.index766.conftest import file_database  # noqa: F401 - re-exported fixture (engine tests)

PERIOD = "2026-03"


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    tree.clear()
    yield
    cache.clear()
    tree.clear()


def store_scores(unit: Unit, period: str, fractions: float | dict[str, float], **extra) -> None:
    """Every indicator of the formula set for ``unit``: score = max × the group's fraction."""
    fs = get_formula_set("portal-2026")
    now = timezone.now()
    rows = []
    for ind in fs.indicators:
        f = fractions if isinstance(fractions, float | int) else fractions.get(ind.group, 0.0)
        score = (Decimal(str(ind.max_points)) * Decimal(str(f))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(
            IndicatorSnapshot(
                unit=unit,
                period=period,
                indicator=ind.code,
                group=ind.group,
                numerator=round(f * 100, 4),
                denominator=100,
                ratio=f,
                score=score,
                max_points=Decimal(str(ind.max_points)),
                target=ind.target,
                note=extra.get("note", ""),
                as_of=now,
                computed_at=now,
            )
        )
    IndicatorSnapshot.objects.bulk_create(rows)
    snapshots.bump_version(period)  # as snapshots.store does after its commit


def group_max(group: str) -> float:
    return GROUPS[group][1]


@pytest.fixture
def province_units(db):
    """A province, three departments and four communes."""
    province = Unit.objects.create(code="T01", name="Tỉnh Thử", kind=UnitKind.PROVINCE)
    departments = [
        Unit.objects.create(code=f"T01.S{i}", name=f"Sở {name}", kind=UnitKind.DEPARTMENT, parent=province)
        for i, name in enumerate(["Tư pháp", "Xây dựng", "Y tế"], start=1)
    ]
    communes = [
        Unit.objects.create(code=f"T01.X{i}", name=f"Xã {name}", kind=UnitKind.COMMUNE, parent=province)
        for i, name in enumerate(["An Bình", "Bình Minh", "Cát Tiên", "Đông Hà"], start=1)
    ]
    return province, departments, communes


@pytest.fixture
def scored(province_units):
    """Snapshots for PERIOD and two earlier/later months (the trend)."""
    province, departments, communes = province_units
    store_scores(province, PERIOD, 0.85)
    store_scores(province, "2026-01", 0.6)
    store_scores(province, "2026-02", 0.7)
    for unit, f in zip(departments, (0.75, 0.95, 0.45), strict=True):
        store_scores(unit, PERIOD, f)
    # Communes: X1 best in total, X2 best in the progress group (TDGQ).
    store_scores(communes[0], PERIOD, {g: 0.9 for g in GROUPS} | {"TDGQ": 0.5})
    store_scores(communes[1], PERIOD, {g: 0.6 for g in GROUPS} | {"TDGQ": 1.0})
    store_scores(communes[2], PERIOD, 0.55)
    store_scores(communes[3], PERIOD, 0.3)
    return province, departments, communes


@pytest.fixture
def control_client(client, province_units):
    user = official("kiemsoat_t", province_units[0], Role.CONTROL_OFFICER)
    client.force_login(user)
    return client


@pytest.fixture
def desk_client(client, province_units):
    user = official("motcua_s1", province_units[1][0], Role.DESK_OFFICER)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _pinned_clock(pinned_now):
    """Every test here runs at tests.conftest.PINNED_NOW: "today", "three hours ago" are fixed days."""
    yield
