"""Live recomputation: after real dossier and complaint events the stored tuples of the changed
units and their ancestors equal a full recomputation at the same instant.

Runs on SQLite (file copy) and PostgreSQL like test_database_source.py: Ibis reads committed data.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.catalog.models import OnlineService
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status
from motcua.feedback.models import Complaint, ComplaintStatusLog
from motcua.index766.database import score_database
from motcua.index766.live import recompute_units
from motcua.index766.models import IndicatorSnapshot
from motcua.index766.periods import VN
from motcua.index766.snapshots import stored_json
from motcua.index766.tasks import recompute_current_snapshots
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.models import Unit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)  # Tuesday; the events below happen on Monday 23
TODAY = date(2026, 11, 24)
PERIODS = ("2026-11", "2026-Q4", "2026")


@pytest.fixture
def province(tmp_path):
    generate_exchange_set(tmp_path / "set", dossiers=300, seed=8, until=date(2026, 11, 20), units=60, procedures=200)
    assert import_exchange_set(tmp_path / "set").ok
    return tmp_path


def _at(hh, mm=0):
    return datetime(2026, 11, 23, hh, mm, tzinfo=VN)


def _stored(period: str, units: set[str]) -> dict:
    rows = IndicatorSnapshot.objects.filter(period=period, unit__code__in=units).values_list(
        "unit__code", "indicator", "numerator", "denominator", "ratio", "score", "note"
    )
    return {(u, c): (n, d, r, None if s is None else float(s), note or None) for u, c, n, d, r, s, note in rows}


def _expected(report, units: set[str]) -> dict:
    return {
        (u["unit"], i["code"]): (i["numerator"], i["denominator"], i["ratio"], i["score"], i["note"])
        for u in report.to_json()["units"]
        if u["unit"] in units
        for i in u["indicators"]
    }


def _processing(exclude=()) -> Dossier:
    return (
        Dossier.objects.filter(
            status=Status.PROCESSING, received_at__year=2026, received_at__lt=_at(8), pauses__isnull=True
        )
        .exclude(pk__in=exclude)
        .order_by("code")
        .first()
    )


def _ancestors(code: str) -> set[str]:
    unit = Unit.objects.get(code=code)
    return {code} | {u.code for u in unit.ancestors()}


def test_live_equals_full_after_events(province):
    recompute_current_snapshots(TODAY, now=NOW)
    events: dict[str, set[int]] = {"dossiers": set(), "complaints": set()}

    # A paper dossier received at a commune.
    template = Dossier.objects.filter(handling_unit__kind="XA").order_by("code").first()
    received = services.receive(
        procedure=template.procedure, handling_unit=template.handling_unit, channel=1, received_at=_at(8)
    )
    # An online one of a procedure with a live service (3.2 counts procedures, §4.1 service_key).
    service = OnlineService.objects.filter(unit__kind="XA").order_by("code").first()
    online = services.receive(procedure=service.procedure, handling_unit=service.unit, channel=2, received_at=_at(8))
    # A supplement requested and handed in; another dossier finished and returned.
    supplemented = _processing()
    services.request_supplement(supplemented, items=["Bản sao CCCD"], reason="Thiếu giấy tờ", at=_at(9))
    services.complete_supplement(supplemented, at=_at(10))
    finished = _processing(exclude=[supplemented.pk])
    services.finish(finished, result_code="KQ-LIVE", file_url="https://example.org/kq.pdf", at=_at(11))
    services.return_result(finished, delivery_method="truc_tiep", at=_at(14))
    events["dossiers"] |= {received.pk, online.pk, supplemented.pk, finished.pk}
    # A complaint answered and published.
    complaint = Complaint.objects.exclude(status__in=["da_cong_khai", "tu_choi", "tra_lai"]).order_by("code").first()
    for status, hh in (("cho_cong_khai", 9), ("da_cong_khai", 10)):
        ComplaintStatusLog.objects.create(complaint=complaint, status=status, occurred_at=_at(hh))
    complaint.status = "da_cong_khai"
    complaint.likes = 3
    complaint.save()
    events["complaints"].add(complaint.pk)

    result = recompute_units([], TODAY, now=NOW, dossier_ids=events["dossiers"], complaint_ids=events["complaints"])
    changed = {
        received.handling_unit.code,
        online.handling_unit.code,
        supplemented.handling_unit.code,
        finished.handling_unit.code,
        complaint.unit.code,
    }
    touched = set().union(*(_ancestors(c) for c in changed))
    for period in PERIODS:
        assert set(result[period]["stored"]) == touched
    # The same instant from scratch: every unit's tuples, the live ones included, are equal.
    all_units = set(Unit.objects.values_list("code", flat=True))
    for period in PERIODS:
        full = score_database(period, now=NOW)
        assert _stored(period, all_units) == _expected(full, all_units), period
        # Groups and totals read from the stored tuples (pages, API) are the engine's: sums of the
        # rounded scores under the portal's rounding (§4.1), maxima included.
        stored = {u["unit"]: (u["total"], u["groups"]) for u in stored_json(period)["units"]}
        assert stored == {u["unit"]: (u["total"], u["groups"]) for u in full.to_json()["units"]}, period
    # And something did change: the finished dossier's unit has one more finished dossier in 2.2.
    unit = finished.handling_unit.code
    assert IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator="2.2").denominator >= 1
    _tally_is_the_partials_count()


def test_a_deadline_passing_recomputes_its_unit(province):
    """An open dossier turning late with time alone (no event) is caught by the next live run."""
    from datetime import timedelta

    from django.db.models import Max

    from motcua.dossiers.models import DossierEvent

    # An open dossier given a deadline after every recorded event, alone in its unit in that hour.
    dossier = (
        Dossier.objects.filter(
            status=Status.PROCESSING, received_at__lt=_at(8), pauses__isnull=True, supplement_requests__isnull=True
        )
        .order_by("code")
        .first()
    )
    due = datetime(2026, 11, 26, 10, 17, tzinfo=VN)
    assert DossierEvent.objects.aggregate(at=Max("occurred_at"))["at"] < due - timedelta(hours=2)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due)
    dossier.refresh_from_db()
    assert (
        not Dossier.objects.filter(
            handling_unit=dossier.handling_unit,
            status=Status.PROCESSING,
            due_at__range=(due - timedelta(hours=1), due + timedelta(hours=1)),
        )
        .exclude(pk=dossier.pk)
        .exists()
    )
    before, after = dossier.due_at - timedelta(hours=1), dossier.due_at + timedelta(hours=1)
    unit = dossier.handling_unit.code
    recompute_current_snapshots(before.date(), now=before)
    on_time = IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator="2.1").numerator

    result = recompute_units([], before.date(), now=after)  # nothing changed, but time passed
    assert unit in result["2026-11"]["units"]
    assert IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator="2.1").numerator == on_time - 1
    all_units = set(Unit.objects.values_list("code", flat=True))
    for period in PERIODS:
        assert _stored(period, all_units) == _expected(score_database(period, now=after), all_units), period


def test_signal_enqueues_one_recomputation_per_transaction(province, settings, time_machine):
    time_machine.move_to(NOW)  # the live run scores "today": the month of the events below
    settings.MOTCUA_LIVE_766 = True
    recompute_current_snapshots()
    dossier = _processing()
    unit = dossier.handling_unit.code
    computed = IndicatorSnapshot.objects.get(
        unit__code=unit, period=f"{date.today():%Y-%m}", indicator="2.1"
    ).computed_at
    services.finish(dossier, result_code="KQ", at=_at(11))  # huey runs tasks immediately in tests
    after = IndicatorSnapshot.objects.get(unit__code=unit, period=f"{date.today():%Y-%m}", indicator="2.1")
    assert after.computed_at > computed
    # The live tuples equal a full recomputation (instants a few seconds apart: no deadline in between).
    ancestors = _ancestors(unit)
    full = score_database(f"{date.today():%Y-%m}")
    assert _stored(f"{date.today():%Y-%m}", ancestors) == _expected(full, ancestors)


def test_a_worker_compiles_the_live_templates_when_it_starts(province):
    from huey.contrib.djhuey import HUEY

    from motcua.index766 import live
    from motcua.index766.tasks import compile_live_templates

    assert HUEY._startup["compile_live_templates"] is compile_live_templates
    recompute_current_snapshots(TODAY, now=NOW)  # the facts a running installation has
    live._CACHE.clear()
    compile_live_templates()
    assert len(live._CACHE) >= 3  # month, quarter and year shapes, ready before the first event


def test_a_live_run_recomputes_only_the_changed_dossiers_flags(province):
    """The flags of dossiers without an event are read back as stored, not recomputed: a stored
    flag changed behind the engine's back shows in the unit's live tuple (and a full run fixes it)."""
    from django.db import connection

    recompute_current_snapshots(TODAY, now=NOW)
    with connection.cursor() as cur:
        cur.execute('SELECT "MaDonVi", "MaHoSo" FROM m766_flags_month WHERE base_progress ORDER BY "MaHoSo"')
        stored: dict[str, list[str]] = {}
        for unit_code, code in cur.fetchall():
            stored.setdefault(unit_code, []).append(code)
    candidates = Dossier.objects.filter(
        status=Status.PROCESSING, received_at__year=2026, received_at__lt=_at(8), pauses__isnull=True
    ).order_by("code")
    dossier = next(
        (
            d
            for d in candidates
            if len(stored.get(d.handling_unit.code, [])) >= 2 and d.code in stored[d.handling_unit.code]
        ),
        None,
    )
    assert dossier is not None, "the generated set (seed 8) has a unit with two open dossiers in November"
    unit = dossier.handling_unit.code
    other = next(code for code in stored[unit] if code != dossier.code)
    with connection.cursor() as cur:
        cur.execute('UPDATE m766_flags_month SET on_time = NOT on_time WHERE "MaHoSo" = %s', [other])
    services.finish(dossier, result_code="KQ", at=_at(11))
    recompute_units([], TODAY, now=NOW, dossier_ids=[dossier.pk])
    live = IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator="2.1").numerator
    full = score_database("2026-11", now=NOW).unit(unit).indicator("2.1").numerator
    assert abs(live - float(full)) == 1  # exactly the tampered flag: read back, not recomputed

    recompute_current_snapshots(TODAY, now=NOW)  # the full run recomputes every flag
    assert IndicatorSnapshot.objects.get(unit__code=unit, period="2026-11", indicator="2.1").numerator == float(full)


def test_a_dossier_moved_to_another_unit_updates_both(province):
    """A correction that moves a dossier to another handling unit (admin): the live run recomputes
    the unit it left as well as the one it joined."""
    recompute_current_snapshots(TODAY, now=NOW)
    dossier = _processing()
    old_unit = dossier.handling_unit
    new_unit = Unit.objects.filter(kind=old_unit.kind).exclude(pk=old_unit.pk).order_by("code").first()
    Dossier.objects.filter(pk=dossier.pk).update(handling_unit=new_unit)

    result = recompute_units([], TODAY, now=NOW, dossier_ids=[dossier.pk])
    assert {old_unit.code, new_unit.code} <= set(result["2026-11"]["units"])
    touched = _ancestors(old_unit.code) | _ancestors(new_unit.code)
    for period in PERIODS:
        full = score_database(period, now=NOW)
        assert _stored(period, touched) == _expected(full, touched), period


def test_an_event_during_a_full_run_is_replayed_after_it(province, monkeypatch):
    """A dossier event committed while the periodic full run computes (after it read the facts):
    the full run stores its older view, then replays the event, so the tuples end up current."""
    from motcua.index766 import database

    real_refresh = database.refresh_database_facts
    dossier = _processing()

    def refresh_then_an_event(*args, **kwargs):
        timings = real_refresh(*args, **kwargs)
        services.finish(dossier, result_code="KQ-MEANWHILE", at=_at(11))  # after the facts were read
        return timings

    monkeypatch.setattr(database, "refresh_database_facts", refresh_then_an_event)
    recompute_current_snapshots(TODAY, now=NOW)
    monkeypatch.undo()

    ancestors = _ancestors(dossier.handling_unit.code)
    for period in PERIODS:
        full = score_database(period, now=NOW)
        assert _stored(period, ancestors) == _expected(full, ancestors), period


def _tally_is_the_partials_count() -> None:
    """The per-period record tally (live.RECORD_TALLY) counts exactly the stored partials."""
    from django.db import connection

    from motcua.index766.live import PARTIALS, RECORD_TALLY

    with connection.cursor() as cur:
        cur.execute(f'SELECT "Ky", "MaChiSo", "MaBanGhi", units, ok_units FROM {RECORD_TALLY} WHERE units <> 0')
        tally = {tuple(r) for r in cur.fetchall()}
        cur.execute(
            f'SELECT "Ky", "MaChiSo", "MaBanGhi", COUNT(*), SUM(CASE WHEN num > 0 THEN 1 ELSE 0 END)'
            f' FROM {PARTIALS} WHERE "MaBanGhi" IS NOT NULL GROUP BY "Ky", "MaChiSo", "MaBanGhi"'
        )
        counted = {tuple(r) for r in cur.fetchall()}
    assert tally == counted


def test_a_record_leaving_its_last_unit_leaves_the_root(province):
    """The root's distinct counts come from the record tally: when the only unit holding a
    procedure in 3.5's list loses its dossiers of it, the province's 3.5 denominator drops by one,
    as a full recomputation says (a tally that only ever added would keep it)."""
    from django.db import connection

    from motcua.catalog.models import Procedure
    from motcua.index766.live import PARTIALS

    recompute_current_snapshots(TODAY, now=NOW)
    _tally_is_the_partials_count()
    with connection.cursor() as cur:
        cur.execute(
            f'SELECT MIN("MaDonVi"), "MaBanGhi" FROM {PARTIALS} WHERE "Ky" = %s AND "MaChiSo" = %s'
            f' GROUP BY "MaBanGhi" HAVING COUNT(*) = 1 ORDER BY "MaBanGhi"',
            ["2026", "3.5"],
        )
        unit_code, procedure_code = cur.fetchone()
    moved = list(
        Dossier.objects.filter(handling_unit__code=unit_code, procedure__code=procedure_code).values_list(
            "pk", flat=True
        )
    )
    root = Unit.objects.get(parent__isnull=True).code
    before = IndicatorSnapshot.objects.get(unit__code=root, period="2026", indicator="3.5").denominator
    free = Procedure.objects.filter(has_fee=False).order_by("code").first()
    Dossier.objects.filter(pk__in=moved).update(procedure=free)

    recompute_units([], TODAY, now=NOW, dossier_ids=moved)
    _tally_is_the_partials_count()
    assert IndicatorSnapshot.objects.get(unit__code=root, period="2026", indicator="3.5").denominator == before - 1
    touched = _ancestors(unit_code)
    for period in PERIODS:
        full = score_database(period, now=NOW)
        assert _stored(period, touched) == _expected(full, touched), period


def test_partials_stored_before_the_record_tally_existed_are_counted(province):
    """An installation upgraded between a full run and a live run: the first live run makes the
    tally from the partials already stored, so the root's distinct counts stay exact."""
    from django.db import connection

    from motcua.index766.live import RECORD_TALLY

    recompute_current_snapshots(TODAY, now=NOW)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {RECORD_TALLY}")
    dossier = _processing()
    services.finish(dossier, result_code="KQ-UPGRADE", at=_at(11))
    recompute_units([], TODAY, now=NOW, dossier_ids=[dossier.pk])
    _tally_is_the_partials_count()
    ancestors = _ancestors(dossier.handling_unit.code)
    for period in PERIODS:
        full = score_database(period, now=NOW)
        assert _stored(period, ancestors) == _expected(full, ancestors), period


def test_a_full_run_stores_under_the_live_runs_lock(province, monkeypatch):
    """A full run rewrites a period's partials and record tally while holding the advisory lock of
    live runs, so a live run never adds to a tally the full run is rebuilding (PostgreSQL)."""
    import psycopg
    from django.db import connection

    from motcua.index766 import live

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite has one writer at a time")
    s = connection.settings_dict
    free_meanwhile = []
    real_store = live._store_partials

    def store_and_probe(period, rows, units):
        with psycopg.connect(
            host=s["HOST"], port=s["PORT"] or None, dbname=s["NAME"], user=s["USER"], autocommit=True
        ) as other:
            free = other.execute("SELECT pg_try_advisory_lock(%s)", [live.LIVE_LOCK]).fetchone()[0]
            if free:
                other.execute("SELECT pg_advisory_unlock(%s)", [live.LIVE_LOCK])
        free_meanwhile.append(free)
        return real_store(period, rows, units)

    monkeypatch.setattr(live, "_store_partials", store_and_probe)
    recompute_current_snapshots(TODAY, now=NOW)
    assert len(free_meanwhile) >= len(PERIODS) and not any(free_meanwhile)
