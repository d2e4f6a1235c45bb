"""766 engine benchmark: JSONL ingest into a prepared DuckDB snapshot, then scoring.

Goal (issue): 2,000,000 dossiers, 1,000 units, all indicators for all units for one
year in ≤ 5 s from a prepared snapshot; JSONL ingest ≥ 100 MB/s.

    .venv/bin/python bench/score.py --dossiers 2000000 --units 1000 --period 2026
    .venv/bin/python bench/score.py --data /path/to/set --period 2026-Q3

Without --data, a synthetic set is generated once (motcua.interchange.generator)
into a temporary folder (or --workdir, which is reused when already there).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="existing exchange set (folder or .zip)")
    ap.add_argument("--dossiers", type=int, default=200_000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--seed", type=int, default=766)
    ap.add_argument("--period", default="2026")
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")

    from motcua.index766 import open_snapshot, prepare_snapshot, score

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench766-"))
    work.mkdir(parents=True, exist_ok=True)
    data = Path(args.data) if args.data else work / f"set-{args.dossiers}-{args.units}-{args.seed}"
    result: dict = {"data": str(data)}
    if not args.data and not (data / "dossiers.jsonl").exists():
        from motcua.interchange.generator import generate_exchange_set

        t = time.perf_counter()
        generate_exchange_set(data, dossiers=args.dossiers, units=args.units, seed=args.seed)
        result["generate_s"] = round(time.perf_counter() - t, 2)
    size = sum(p.stat().st_size for p in data.glob("*.jsonl")) if data.is_dir() else data.stat().st_size
    result["input_mb"] = round(size / 1e6, 1)

    snap = work / "snapshot.duckdb"
    t = time.perf_counter()
    prepare_snapshot(data, snap)
    prep = time.perf_counter() - t
    result["prepare_s"] = round(prep, 2)
    result["prepare_mb_per_s"] = round(size / 1e6 / prep, 1)

    facts = open_snapshot(snap)
    result["dossiers"] = int(facts.dossiers.count().execute())
    result["units"] = int(facts.units.count().execute())
    times = []
    report = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = score(facts, args.period, as_of=args.as_of)
        times.append(time.perf_counter() - t)
    result["score_s"] = [round(x, 2) for x in times]
    top = report.to_json()["units"][0]
    result["first_unit"] = {"unit": top["unit"], "total": top["total"], "band": top["band"]}
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
