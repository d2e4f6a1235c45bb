"""The portal's observed rules (interchange.md §4.1): for each of the six switches, a hand-built
scenario where §4 and §4.1 give different numbers, both values asserted, on DuckDB, SQLite and
PostgreSQL (PostgreSQL when DATABASE_URL names one). test_live_portal_rules.py replays the same
scenario on the live path.

Scenario (March 2026, province P with department S1 and communes X1, X2):

* rounding — X2 receives 23 dossiers of T1 in March, all synced, 3 of them online: 3.3 = 3/23.
"""

from __future__ import annotations

import os

import pytest

from motcua.index766 import score
from motcua.index766.sources import copy_to_postgres, copy_to_sqlite

from .builders import PROVINCE, dossier, load, nds, procedure
from .conftest import NOW, scratch_postgres


def scenario(month: str = "2026-03") -> dict[str, list[dict]]:
    """The set, its dossiers dated in ``month`` (test_live_portal_rules.py uses the current one)."""

    def at(day: int, hh: int = 8) -> str:
        return f"{month}-{day:02d}T{hh:02d}:00"

    dossiers = [
        dossier(f"R{k:02d}", "T1", "X2", at(2 + k % 5), at(27, 17), KenhThucHien=2 if k < 3 else 1,
                NgayDongBo=at(2 + k % 5, 9))
        for k in range(23)
    ]
    return {
        "units": PROVINCE,
        "procedures": [procedure("T1", ["XA"])],
        "dossiers": dossiers,
    }


SCENARIO = scenario()


@pytest.fixture(scope="module", params=["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def facts(request, tmp_path_factory):
    duck = load(tmp_path_factory.mktemp("portal-rules"), **SCENARIO)
    if request.param == "duckdb":
        yield duck
    elif request.param == "sqlite":
        yield copy_to_sqlite(duck)
    else:
        gen = scratch_postgres(f"m766_rules_{os.getpid()}")
        pg = copy_to_postgres(duck, next(gen))
        yield pg
        pg.con.disconnect()
        next(gen, None)


def run(facts, **switches):
    return score(facts, "2026-03", now=NOW, switches=switches)


def test_rounding(facts):
    # 3.3 = 3/23 online (× 1.4 = 1): portal 6 ÷ 0.5 × 13.04 ÷ 100 = 1.5648 -> 1.56; the exact
    # rule scores the unrounded ratio: 6 × (3/23) ÷ 0.5 = 1.5652… -> 1.57.
    portal, exact = run(facts), run(facts, rounding="exact")
    assert nds(portal, "X2", "3.3") == (3, 23, 1.56)
    assert nds(exact, "X2", "3.3") == (3, 23, 1.57)
    assert portal.unit("X2").indicator("3.3").to_json()["ratio"] == 0.1304
    # Group totals are sums of the rounded scores, either way.
    for report in (portal, exact):
        u = report.unit("X2")
        clgq = sum(s.score_rounded or 0 for s in u.indicators if s.indicator.group == "CLGQ")
        assert u.group("CLGQ") == clgq
