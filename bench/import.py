"""Import benchmark (issue: ≥ 10,000 dossiers/s into PostgreSQL, ≥ 5,000/s into SQLite, bounded memory).

Generates an exchange set once, then imports it into a fresh SQLite file and/or a
fresh PostgreSQL database, each in its own process, and prints dossiers/s and the
importing process's peak memory. Child rows and audit entries are included.

    .venv/bin/python bench/import.py --dossiers 1000000
    .venv/bin/python bench/import.py --dossiers 200000 --databases sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PG_ADMIN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from motcua.interchange.importer import import_exchange_set
started = time.perf_counter()
report = import_exchange_set(sys.argv[1])
seconds = time.perf_counter() - started
assert report.ok, [str(e) for e in report.errors[:3]]
print(json.dumps({"seconds": seconds, "dossiers": report.counts["dossiers"].created,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(folder: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    args = parser.parse_args()

    from motcua.interchange.generator import generate_exchange_set

    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        folder = Path(tmp) / "set"
        started = time.perf_counter()
        counts = generate_exchange_set(folder, dossiers=args.dossiers, seed=766, until=date(2026, 11, 20))
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(
            f"generated {counts['dossiers']:,} dossiers ({size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        for database in args.databases.split(","):
            env = {**os.environ, "MOTCUA_DATA_DIR": str(Path(tmp) / database), "MOTCUA_LOG_LEVEL": "WARNING"}
            if database == "postgresql":
                import psycopg

                name = f"motcua_bench_{os.getpid()}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}")
                    admin.execute(f"CREATE DATABASE {name}")
                env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            try:
                result = run_child(folder, env)
            finally:
                if database == "postgresql":
                    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name}")
            rate = result["dossiers"] / result["seconds"]
            print(
                f"{database:<10} {result['dossiers']:>10,} dossiers in {result['seconds']:7.1f} s = "
                f"{rate:8,.0f} dossiers/s, peak RSS {result['peak_rss_mb']:,.0f} MB"
            )


if __name__ == "__main__":
    main()
