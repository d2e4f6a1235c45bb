"""766 engine benchmark: all indicators for all units, for a year and a month.

Issue goals (2-core machine, 2,000,000 dossiers in a year, 1,000 units, 2,000 procedures):
  * from a prepared columnar snapshot (DuckDB file made once from the exchange set; ingest
    reported apart, ≥ 100 MB/s of JSON Lines): a year ≤ 5 s, a month ≤ 1 s;
  * computed inside PostgreSQL: a year ≤ 30 s;
  * peak memory ≤ 3 GB; time grows linearly from 200,000 to 2,000,000 dossiers.

    .venv/bin/python bench/score.py --dossiers 2000000 --units 1000
    .venv/bin/python bench/score.py --source postgres --dossiers 2000000 --units 1000
    .venv/bin/python bench/score.py --growth 200000,2000000 --units 1000 [--source postgres]
    .venv/bin/python bench/score.py --data /path/to/set --periods 2026-Q3

duckdb: the generated set (a year up to today; or --data) is made once in --workdir, prepared
into a snapshot (timed: the ingest), then each period is scored --repeat times.
postgres: the same province imported once into ``motcua_bench766_<dossiers>_<units>``
(bench/benchdb.py); the derived tables are rebuilt once (timed: ``refresh_database_facts``,
what an import or the periodic run does; dossier events keep them current incrementally), then
``score_database(refresh=False)``. --growth runs each size in its own process and prints how
the times grow against the number of dossiers. Peak memory is this process's (the client);
PostgreSQL's own is bounded by its settings. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

from benchdb import PROCEDURES, exchange_set, setup_database


def _periods(text: str | None) -> list[str]:
    today = date.today()
    return text.split(",") if text else [str(today.year), f"{today:%Y-%m}"]


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KB on Linux


def run_duckdb(args: argparse.Namespace, work: Path) -> dict:
    from motcua.index766 import open_snapshot, prepare_snapshot, score

    result: dict = {"source": "duckdb"}
    if args.data:
        data = Path(args.data)
    else:
        data, result["generate_s"] = exchange_set(args.dossiers, args.units, args.seed, work, args.procedures)
    size = sum(p.stat().st_size for p in data.glob("*.jsonl")) if data.is_dir() else data.stat().st_size
    result["input_mb"] = round(size / 1e6, 1)
    snap = work / f"snapshot-{data.name}.duckdb"
    t = time.perf_counter()
    prepare_snapshot(data, snap)
    prep = time.perf_counter() - t
    result["ingest_s"] = round(prep, 2)
    result["ingest_mb_per_s"] = round(size / 1e6 / prep, 1)
    facts = open_snapshot(snap)
    result["dossiers"] = int(facts.dossiers.count().execute())
    result["units"] = int(facts.units.count().execute())
    for period in _periods(args.periods):
        result[f"score_{period}_s"] = _timed(lambda p=period: score(facts, p), args.repeat)
    facts.con.disconnect()
    return result


def run_postgres(args: argparse.Namespace, work: Path) -> dict:
    result: dict = {
        "source": "postgres",
        **setup_database("postgres", args.dossiers, args.units, args.seed, work, args.procedures),
    }
    from motcua.index766.database import refresh_database_facts, score_database

    t = time.perf_counter()
    result["refresh_steps_s"] = {k: round(v, 2) for k, v in refresh_database_facts().items()}
    result["refresh_s"] = round(time.perf_counter() - t, 2)
    for period in _periods(args.periods):
        result[f"score_{period}_s"] = _timed(lambda p=period: score_database(p, refresh=False), args.repeat)
    return result


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(round(time.perf_counter() - t, 2))
    return times


def growth(args: argparse.Namespace) -> None:
    """Each size in a fresh process; then the best time of each figure per size and its growth."""
    sizes = [int(s) for s in args.growth.split(",")]
    runs = []
    for n in sizes:
        cmd = [
            sys.executable,
            __file__,
            "--source",
            args.source,
            "--dossiers",
            str(n),
            "--units",
            str(args.units),
            "--procedures",
            str(args.procedures),
            "--seed",
            str(args.seed),
            "--repeat",
            str(args.repeat),
        ]
        if args.workdir:
            cmd += ["--workdir", args.workdir]
        if args.periods:
            cmd += ["--periods", args.periods]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(out, flush=True)
        runs.append(json.loads(out))
    keys = [
        k
        for k in runs[0]
        if k.endswith("_s")
        and "per_s" not in k
        and k not in ("generate_s", "import_s")
        and all(isinstance(r.get(k), (int, float, list)) for r in runs)
    ]
    for k in keys:
        best = [min(r[k]) if isinstance(r[k], list) else r[k] for r in runs]
        steps = ", ".join(f"{sizes[i]:,}: {best[i]} s" for i in range(len(sizes)))
        factor = best[-1] / best[0] if best[0] else float("nan")
        print(f"{k:>22}  {steps}  (x{factor:.1f} for x{sizes[-1] / sizes[0]:.0f} dossiers)")
    print("peak RSS MB:", ", ".join(f"{sizes[i]:,}: {r['peak_rss_mb']}" for i, r in enumerate(runs)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=("duckdb", "postgres"), default="duckdb")
    ap.add_argument("--data", help="existing exchange set (folder or .zip); duckdb only")
    ap.add_argument("--dossiers", type=int, default=200_000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--procedures", type=int, default=PROCEDURES)
    ap.add_argument("--seed", type=int, default=766)
    ap.add_argument("--periods", help="comma-separated; default: this year and this month")
    ap.add_argument("--workdir", default=None, help="generated sets and snapshots, reused (default: a temp folder)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--growth", help="comma-separated sizes (dossiers), each run in its own process")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.growth:
        growth(args)
        return 0
    work = Path(args.workdir or Path(tempfile.gettempdir()) / "bench766")
    work.mkdir(parents=True, exist_ok=True)
    # The engine reads its settings (e.g. MOTCUA_DUCKDB_MEMORY) through Django's, also without a database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    result = run_postgres(args, work) if args.source == "postgres" else run_duckdb(args, work)
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
