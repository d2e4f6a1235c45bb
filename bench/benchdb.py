"""Shared by the 766 benchmarks: a generated province in a PostgreSQL or SQLite database.

Not a benchmark itself. ``setup_database`` points Django at
``motcua_bench766_<dossiers>_<units>_<procedures>``
on MOTCUA_BENCH_PG's server (or a SQLite file in the work folder), creating and filling it once
(``motcua.interchange.generator`` + importer), then calls django.setup().
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

PG_ADMIN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


#: The issue's benchmark province: 2,000 procedures (the generator's own default is 1,600).
PROCEDURES = 2000


def setup_database(
    database: str,
    dossiers: int,
    units: int,
    seed: int,
    workdir: Path,
    procedures: int = PROCEDURES,
    name: str | None = None,
) -> dict:
    """Point Django at the bench database (created and filled once), then django.setup().

    ``name``: another database than the default one (e.g. a ``CREATE DATABASE … TEMPLATE`` copy
    for an older commit's code, so two versions are timed on the same rows)."""
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MOTCUA_LOG_LEVEL", "WARNING")
    os.environ["MOTCUA_DATA_DIR"] = str(workdir)
    os.environ["MOTCUA_LIVE_766"] = "0"  # the bench calls the live path itself, to time it
    name = name or f"motcua_bench766_{dossiers}_{units}_{procedures}"
    if database == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / (name + '.sqlite3')}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.dossiers.models import Dossier

    call_command("migrate", interactive=False, verbosity=0)
    out: dict = {"database": os.environ["DATABASE_URL"]}
    if not Dossier.objects.exists():
        from motcua.interchange.importer import import_exchange_set

        folder, out["generate_s"] = exchange_set(dossiers, units, seed, workdir, procedures)
        t = time.perf_counter()
        assert import_exchange_set(folder).ok
        out["import_s"] = round(time.perf_counter() - t, 1)
    out["dossiers"] = Dossier.objects.count()
    return out


def exchange_set(
    dossiers: int, units: int, seed: int, workdir: Path, procedures: int = PROCEDURES
) -> tuple[Path, float | None]:
    """The generated exchange set (a year up to today) in ``workdir``, made once: (folder, seconds
    it took now, or None when it was already there)."""
    from motcua.interchange.generator import generate_exchange_set

    folder = workdir / f"set-{dossiers}-{units}-{procedures}-{seed}"
    if (folder / "dossiers.jsonl").exists():
        return folder, None
    t = time.perf_counter()
    generate_exchange_set(folder, dossiers=dossiers, units=units, procedures=procedures, seed=seed, until=date.today())
    return folder, round(time.perf_counter() - t, 1)
