"""Live 766 recomputation benchmark: real dossier events, then the time until their tuples are stored.

Issue goal: a dossier event reaches the scoreboard within 5 s; each unit × current period is
recomputed in ≤ 500 ms at 2,000,000 dossiers / 1,000 units.

    .venv/bin/python bench/live.py --database postgres --dossiers 2000000 --units 1000 --events 20
    .venv/bin/python bench/live.py --database sqlite --dossiers 100000 --units 300

Comparing two commits (paired): copy the database (``CREATE DATABASE b TEMPLATE a``), run each
version once with its own full run, then alternate ``--no-full --pick N`` runs of both versions
(each against its own copy, ``--name``): the same N picks the same dossiers in both copies,
as many for each unit kind.

Builds (or reuses) a database with a generated province: PostgreSQL database
``motcua_bench766_<dossiers>_<units>_<procedures>`` on MOTCUA_BENCH_PG's server, or a SQLite file in
--workdir. Then one full recomputation (refresh + every unit, month/quarter/year), then N
events through motcua.dossiers.services (finish, hand-off-free), each followed by the live
recomputation, timing commit → stored tuples. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import PROCEDURES, setup_database


def full_recompute() -> dict:
    """Refresh the facts, then score and store every unit for the current periods (the worker's run)."""
    from motcua.index766.database import database_facts, refresh_database_facts
    from motcua.index766.live import recompute_period, vacuum_partials
    from motcua.index766.tasks import current_periods

    t = time.perf_counter()
    out = {"refresh": {k: round(v, 2) for k, v in refresh_database_facts().items()}}
    out["refresh_s"] = round(time.perf_counter() - t, 2)
    facts = database_facts()
    try:
        for period in current_periods():
            t = time.perf_counter()
            recompute_period(facts, period)
            out[f"full_{period}_s"] = round(time.perf_counter() - t, 2)
    finally:
        facts.con.disconnect()
    vacuum_partials()  # as the worker's full run does
    return out


def _stats(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"median": round(statistics.median(ordered), 4), "p95": round(p95, 4), "max": round(ordered[-1], 4)}


def live_events(n: int, pick: int | None = None) -> dict:
    from django.utils import timezone

    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier, Status
    from motcua.index766.live import recompute_units
    from motcua.index766.tasks import current_periods

    open_dossiers = Dossier.objects.filter(status=Status.PROCESSING, pauses__isnull=True)
    if pick is None:
        candidates = list(open_dossiers.order_by("?").values_list("pk", flat=True)[:n])
    else:  # reproducible (the same dossiers in two copies of one database), each unit kind alike
        by_kind: dict[str, list[int]] = {}
        for kind, pk in sorted(open_dossiers.values_list("handling_unit__kind", "pk")):
            by_kind.setdefault(kind, []).append(pk)

        def rank(pk: int) -> bytes:  # a dossier finished in one copy only moves no other pick
            return hashlib.sha256(f"{pick}:{pk}".encode()).digest()

        candidates = []
        for i, pks in enumerate(by_kind.values()):
            candidates += sorted(pks, key=rank)[: n // len(by_kind) + (i < n % len(by_kind))]
        candidates.sort(key=rank)
    latencies, per_unit_period = [], {}
    for pk in candidates:
        dossier = Dossier.objects.select_related("handling_unit").get(pk=pk)
        services.finish(dossier, result_code="KQ-BENCH", at=timezone.now())  # committed on return
        committed = time.perf_counter()
        result = recompute_units([], dossier_ids=[pk])
        latencies.append(time.perf_counter() - committed)
        kind = dossier.handling_unit.kind  # communes (XA) hold ~2,000 dossiers a year, departments up to 180,000
        for period in current_periods():
            r = result[period]
            if not r.get("full"):
                per_unit_period.setdefault(f"{kind} {period}", []).append(r["seconds"] / max(1, len(r["units"])))
        print(
            json.dumps(
                {
                    "dossier": dossier.code,
                    "kind": kind,
                    "units": {p: len(result[p].get("units", ())) for p in current_periods()},
                    "commit_to_stored_s": round(latencies[-1], 3),
                    "periods_s": {p: result[p]["seconds"] for p in current_periods()},
                }
            ),
            flush=True,
        )
    return {
        "events": len(latencies),
        "commit_to_stored_s": _stats(latencies),
        "unit_period_s": {k: _stats(v) for k, v in sorted(per_unit_period.items())},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    ap.add_argument("--dossiers", type=int, default=200_000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--procedures", type=int, default=PROCEDURES)
    ap.add_argument("--seed", type=int, default=766)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--name", default=None, help="database name instead of the default one")
    ap.add_argument("--no-full", action="store_true", help="skip the full run (an earlier one's stored tuples stay)")
    ap.add_argument("--pick", type=int, default=None, help="seed choosing the event dossiers (default: random)")
    args = ap.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")
    work = Path(args.workdir or Path(tempfile.gettempdir()) / "bench766-live")
    result = setup_database(args.database, args.dossiers, args.units, args.seed, work, args.procedures, args.name)
    if not args.no_full:
        result.update(full_recompute())
    print(json.dumps(result), flush=True)
    if args.events:
        print(json.dumps(live_events(args.events, args.pick)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
