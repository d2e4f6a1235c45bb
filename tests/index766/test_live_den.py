"""The live path's in_den rows of 3.2 (m766_den_records): a dossier event keeps those the full run
stored; a catalogue edit, or a service's validity date passing, since that run rebuilds them, and
the live tuples still equal a full recomputation.

The scenario swaps, at one commune, a service of procedure A for one of procedure B (neither offered
elsewhere), so 3.2's denominators stay what the full run stored and only the numerator tells the
rows apart: an online dossier of B counts once B's service is in the catalogue read.

Runs on SQLite (file copy) and PostgreSQL like test_live.py.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection

from motcua.catalog.models import OnlineService, Procedure
from motcua.dossiers import services
from motcua.index766.database import score_database
from motcua.index766.live import DEN_RECORDS, recompute_units
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.periods import VN
from motcua.index766.tasks import recompute_current_snapshots
from motcua.org.models import Unit

from .test_live import PERIODS, _expected, _stored, province  # noqa: F401 - the fixture, by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database", "province")]

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)
TODAY = date(2026, 11, 24)


def _swap_scenario(*, a_until: date | None = None, b_from: date | None = None) -> tuple[Unit, Procedure, OnlineService]:
    """A commune offering procedure A online (until ``a_until``), and B from ``b_from`` (None: not
    at all); neither procedure is offered anywhere else. Returns (commune, B, A's service)."""
    unit = Unit.objects.filter(kind="XA", valid_to__isnull=True).order_by("code").first()
    a, b = Procedure.objects.exclude(pk__in=OnlineService.objects.values("procedure")).order_by("code")[:2]
    service = OnlineService.objects.create(
        code="DVC-DEN-A", procedure=a, unit=unit, level="toan_trinh", status="dang_cong_khai", valid_to=a_until
    )
    if b_from is not None:
        OnlineService.objects.create(
            code="DVC-DEN-B", procedure=b, unit=unit, level="toan_trinh", status="dang_cong_khai", valid_from=b_from
        )
    return unit, b, service


def _online_dossier(unit: Unit, procedure: Procedure) -> int:
    at = datetime(2026, 11, 23, 8, 0, tzinfo=VN)
    return services.receive(procedure=procedure, handling_unit=unit, channel=2, received_at=at).pk


def _assert_3_2_equals_full(unit: Unit) -> None:
    all_units = set(Unit.objects.values_list("code", flat=True))
    for period in PERIODS:
        full = {k: v for k, v in _expected(score_database(period, now=NOW), all_units).items() if k[1] == "3.2"}
        assert {k: v for k, v in _stored(period, all_units).items() if k[1] == "3.2"} == full, period
    # The scenario is the one meant: B's dossier counts in the commune's 3.2 (A's did not exist).
    assert IndicatorSnapshot.objects.get(unit=unit, period="2026-11", indicator="3.2").numerator >= 1


def _den_rows() -> list[tuple]:
    row_id = "ctid::text" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cur:
        cur.execute(f'SELECT {row_id}, "Ky", "MaChiSo", "MaDonVi", "MaBanGhi" FROM {DEN_RECORDS} ORDER BY 2, 3, 4, 5')
        return cur.fetchall()


def test_a_dossier_event_keeps_the_stored_in_den_rows():
    unit, b, _ = _swap_scenario(b_from=date(2026, 1, 1))
    recompute_current_snapshots(TODAY, now=NOW)
    before = _den_rows()
    assert any(r[3] == unit.code and r[4] == b.code for r in before)

    result = recompute_units([], TODAY, now=NOW, dossier_ids=[_online_dossier(unit, b)])

    assert {result[p]["den"] for p in PERIODS} == {"kept"}
    assert _den_rows() == before  # not rewritten: the same physical rows
    _assert_3_2_equals_full(unit)


def test_a_catalogue_edit_rebuilds_the_in_den_rows():
    unit, b, service = _swap_scenario()
    recompute_current_snapshots(TODAY, now=NOW)
    service.procedure = b  # the commune now offers B instead of A (saved: the revision moves)
    service.save()

    result = recompute_units([], TODAY, now=NOW, dossier_ids=[_online_dossier(unit, b)])

    assert {result[p]["den"] for p in PERIODS} == {"rebuilt"}
    _assert_3_2_equals_full(unit)
    # Until the next full run every live run rebuilds them (the basis is dropped).
    again = recompute_units([unit.pk], TODAY, now=NOW)
    assert {again[p]["den"] for p in PERIODS} == {"rebuilt"}
    recompute_current_snapshots(TODAY, now=NOW)
    again = recompute_units([unit.pk], TODAY, now=NOW)
    assert {again[p]["den"] for p in PERIODS} == {"kept"}


def test_a_service_validity_passing_rebuilds_the_in_den_rows():
    # A's service ends and B's begins on Monday 23: the full run on Sunday read A, the live run on
    # Tuesday (catalogue_at=t: the catalogue of its own day) must read B.
    unit, b, _ = _swap_scenario(a_until=date(2026, 11, 23), b_from=date(2026, 11, 23))
    recompute_current_snapshots(date(2026, 11, 22), now=datetime(2026, 11, 22, 9, 0, tzinfo=VN))

    result = recompute_units([], TODAY, now=NOW, dossier_ids=[_online_dossier(unit, b)])

    assert {result[p]["den"] for p in PERIODS} == {"rebuilt"}
    _assert_3_2_equals_full(unit)
