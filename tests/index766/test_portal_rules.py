"""The portal's observed rules (interchange.md §4.1): for each of the six switches, a hand-built
scenario where §4 and §4.1 give different numbers, both values asserted, on DuckDB, SQLite and
PostgreSQL (PostgreSQL when DATABASE_URL names one). test_live_portal_rules.py replays the same
scenario on the live path.

Scenario (March 2026, province P with department S1 and communes X1, X2):

* rounding — X2 receives 23 dossiers of T1, all synced, 3 of them online: 3.3 = 3/23.
* sync_denominator — X1 receives 6 dossiers, 5 synced, and has no reference counts; S1 none.
* pakn_judged_at — a complaint at X1 sent Thu 5 March, never answered (due Wed 25 March),
  scored as of 20 March.
* catalogue_at — X1's service DVX (T4) is valid from 1 to 10 March only.
* service_key — X2 offers T1 twice (DV2, DV3) and T5 (DV5); T5's only online dossier is X1's.
* procedure_lists — P's decisions: Q1 (T1, T2, T4; T4 lacks parts), Q2 (T5, dated after T),
  Q3 (bai_bo: T6); fee-bearing T2 (a dossier at X1, paid online), T3 (a department's, with a
  service at S1) and T7 (no dossier).
"""

from __future__ import annotations

import os

import pytest

from motcua.index766 import score
from motcua.index766.sources import copy_to_postgres, copy_to_sqlite

from .builders import PROVINCE, complaint, dossier, load, nds, procedure, publication, service
from .conftest import NOW, scratch_postgres


def scenario(month: str = "2026-03") -> dict[str, list[dict]]:
    """The set, its records dated in ``month`` (test_live_portal_rules.py uses the current one)."""
    year, m = (int(x) for x in month.split("-"))
    after = f"{year + (m == 12)}-{m % 12 + 1:02d}-15"  # a decision dated after the period

    def at(day: int, hh: int = 8) -> str:
        return f"{month}-{day:02d}T{hh:02d}:00"

    fee = {"CoPhiLePhi": True}
    procedures = [
        procedure("T1"),
        procedure("T2", **fee),
        procedure("T3", ["TINH"], **fee),
        procedure("T4", DayDuBayBoPhan=False),
        procedure("T5"),
        procedure("T6"),
        procedure("T7", **fee),
    ]
    services = [
        service("DV1", "T1", "X1"),
        service("DVX", "T4", "X1", HieuLucTu=f"{month}-01", HieuLucDen=f"{month}-10"),
        service("DV2", "T1", "X2"),
        service("DV3", "T1", "X2", TrangThai="dang_kiem_thu"),
        service("DV5", "T5", "X2"),
        service("DV6", "T3", "S1"),
    ]
    item = {"NgayHieuLucCanCu": None, "NgayCongKhai": None}
    publications = [
        publication("Q1", "P", f"{month}-01", [{"MaTTHC": c, **item} for c in ("T1", "T2", "T4")]),
        publication("Q2", "P", after, [{"MaTTHC": "T5", **item}]),
        publication("Q3", "P", f"{month}-01", [{"MaTTHC": "T6", **item}], kind="bai_bo"),
    ]
    due = at(27, 17)
    dossiers = [
        dossier(
            f"R{k:02d}", "T1", "X2", at(2 + k % 5), due, KenhThucHien=2 if k < 3 else 1, NgayDongBo=at(2 + k % 5, 9)
        )
        for k in range(23)
    ] + [
        dossier("S1", "T1", "X1", at(2), due, KenhThucHien=2, MaDVC="DV1", NgayDongBo=at(2, 9)),
        dossier("S2", "T1", "X1", at(3), due, NgayDongBo=at(3, 9)),
        dossier("S3", "T1", "X1", at(4), due, NgayDongBo=at(4, 9)),
        dossier("S4", "T1", "X1", at(5), due),  # never synced
        dossier(
            "F1",
            "T2",
            "X1",
            at(2),
            due,
            NgayDongBo=at(2, 9),
            DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": 50000}],
            DuocThanhToanTrucTuyen=1,
            NgayThanhToan=at(2, 10),
        ),
        dossier("O5", "T5", "X1", at(3), due, KenhThucHien=2, NgayDongBo=at(3, 9)),
    ]
    # No likes or dislikes given: the importer stores none as 0 (the live test imports this set).
    complaints = [complaint("C1", "X1", at(5), [("da_tiep_nhan", at(5, 9))])]
    return {
        "units": PROVINCE,
        "procedures": procedures,
        "online_services": services,
        "publications": publications,
        "dossiers": dossiers,
        "complaints": complaints,
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


def test_sync_denominator(facts):
    # X1 has no reference counts: synced takes its numerator as the denominator (5/5); §4's
    # reference reading fell back to our own count of dossiers received (5/6).
    synced, ref, own = run(facts), run(facts, sync_denominator="reference"), run(facts, sync_denominator="own_received")
    assert nds(synced, "X1", "1.4") == (5, 5, 6.0)
    assert nds(ref, "X1", "1.4") == nds(own, "X1", "1.4") == (5, 6, 5.0)
    # 0/0: null under synced (adds 0), 0 under §4.
    assert nds(synced, "S1", "1.4") == (0, 0, None)
    assert nds(ref, "S1", "1.4") == (0, 0, 0.0)
    # 3.3's factor is 1 when the denominator is the numerator: X1 2/6 online (S1, O5) -> 6 ÷ 0.5 ×
    # 33.33 ÷ 100 = 3.9996 -> 4.0; reference: 2/6 × 5/6 = 0.2778 -> 6 ÷ 0.5 × 27.78 ÷ 100 -> 3.33.
    assert nds(synced, "X1", "3.3") == (2, 6, 4.0)
    assert nds(ref, "X1", "3.3") == (2, 6, 3.33)


def test_pakn_judged_at(facts):
    # C1 (X1) sent Thu 5 March, due Wed 25 March, unanswered; scored as of 20 March. period_end:
    # its deadline falls before the period's end, so it is already missed; as_of: still in time.
    as_of = "2026-03-20T17:00"
    portal = score(facts, "2026-03", as_of=as_of, now=NOW)
    written = score(facts, "2026-03", as_of=as_of, now=NOW, switches={"pakn_judged_at": "as_of"})
    assert nds(portal, "X1", "5.2") == (0, 1, 0.0)
    assert nds(portal, "X1", "5.3") == (0, 1, 0.0)
    assert nds(written, "X1", "5.2") == (1, 1, 6.0)
    assert nds(written, "X1", "5.3") == (1, 1, 6.0)
    # Once the period is over both readings judge at its end.
    assert nds(run(facts), "X1", "5.2") == nds(run(facts, pakn_judged_at="as_of"), "X1", "5.2") == (0, 1, 0.0)


def test_catalogue_at(facts):
    # DVX (T4 at X1) is valid from 1 to 10 March. t: read on 31 March, gone; period: counted.
    t, period = run(facts), run(facts, catalogue_at="period")
    assert nds(t, "X1", "3.2")[:2] == (1, 1)  # T1 (used)
    assert nds(period, "X1", "3.2")[:2] == (1, 2)  # T1, T4 (unused)
    # Scored as of 5 March the service is in the catalogue either way.
    early = score(facts, "2026-03", as_of="2026-03-05T17:00", now=NOW)
    assert nds(early, "X1", "3.2")[:2] == (1, 2)


def test_service_key(facts):
    portal, written = run(facts), run(facts, service_key="madvc")
    # X2 offers T1 (DV2, DV3) and T5 (DV5): by procedure T1 used, T5 not (its online dossier is
    # X1's) -> 1/2; by service DV2 and DV3 used (no MaDVC named: matched by procedure and unit) -> 2/3.
    assert nds(portal, "X2", "3.2") == (1, 2, 2.0)
    assert nds(written, "X2", "3.2") == (2, 3, 2.67)
    # P: T1, T3 (DV6 at S1), T5 offered in the subtree; T5 used by X1's online dossier anywhere in
    # it -> 2/3; by service: DV1, DV2, DV3 used, DV5, DV6 not -> 3/5.
    assert nds(portal, "P", "3.2") == (2, 3, 2.67)
    assert nds(written, "P", "3.2") == (3, 5, 2.4)
    # The explanation lists the procedures (or services) that lost the point.
    from motcua.index766.explain import explain

    assert [(m.record, m.record_kind) for m in explain(facts, "2026-03", "P", "3.2", now=NOW)] == [("T3", "MaTTHC")]
    assert sorted(
        m.record for m in explain(facts, "2026-03", "P", "3.2", now=NOW, switches={"service_key": "madvc"})
    ) == ["DV5", "DV6"]


def test_procedure_lists_1_3(facts):
    portal, written = run(facts), run(facts, procedure_lists="competence")
    # portal: P's decisions whatever their date, not the bai_bo one: T1, T2, T4, T5; T4 lacks parts.
    assert nds(portal, "P", "1.3") == (3, 4, 1.5)
    # competence: the 7 procedures of P's subtree (T6, only in a bai_bo decision, included).
    assert nds(written, "P", "1.3") == (6, 7, 1.71)
    assert nds(portal, "X1", "1.3") == (3, 4, 1.5)  # inherited from P


def test_procedure_lists_3_1(facts):
    portal, written = run(facts), run(facts, procedure_lists="competence")
    # portal: decisions dated by T (Q1: T1, T2, T4), online if a service is offered in P's subtree
    # on 31 March: T1 only -> 1/3 -> 2 ÷ 0.8 × 33.33 ÷ 100 = 0.83.
    assert nds(portal, "P", "3.1") == (1, 3, 0.83)
    # Scored at the province only: its units show 0, as not scored at their level.
    x1 = portal.unit("X1").indicator("3.1").to_json()
    assert (x1["numerator"], x1["denominator"], x1["ratio"], x1["score"]) == (None, None, None, 0.0)
    assert "Chỉ tính cho cấp tỉnh" in x1["note"]
    # competence: P's 7 procedures, T1, T3 (DV6), T5 (DV5) online -> 3/7 -> 1.07; X1 its own 6.
    assert nds(written, "P", "3.1") == (3, 7, 1.07)
    assert nds(written, "X1", "3.1") == (1, 6, 0.42)
    # With the catalogue of the whole period DVX makes T4 online as well.
    assert nds(run(facts, catalogue_at="period"), "P", "3.1") == (2, 3, 1.67)
    assert nds(run(facts, procedure_lists="competence", catalogue_at="period"), "X1", "3.1") == (2, 6, 0.83)


def test_procedure_lists_3_5(facts):
    portal, written = run(facts), run(facts, procedure_lists="competence")
    # portal: fee-bearing procedures with a dossier of 3.5's base at X1: T2 (F1, fee and paid).
    assert nds(portal, "X1", "3.5") == (1, 1, 2.0)
    assert nds(portal, "X1", "3.5b") == (1, 1, 2.0)
    assert nds(portal, "P", "3.5") == (1, 1, 2.0)
    assert nds(portal, "X2", "3.5") == (0, 0, 0.0)  # no fee-bearing dossier
    # competence: every fee-bearing procedure of the unit, T7 has no dossier.
    assert nds(written, "X1", "3.5") == (1, 2, 1.25)
    assert nds(written, "X1", "3.5b") == (1, 2, 1.25)
    assert nds(written, "P", "3.5") == (1, 3, 0.83)  # T2, T3, T7
    # 4.5a keeps the competence catalogue either way.
    assert nds(portal, "X1", "4.5a") == nds(written, "X1", "4.5a")


PAKN_NOTE = "PAKN chưa xử lý xong được tính theo hạn cuối kỳ, như Cổng DVCQG"


def test_rule_notes_say_where_the_portal_differs_from_the_decision(facts):
    from motcua.index766.registry import RULE_NOTES

    rules = run(facts).to_json()["rules"]
    assert [(r["switch"], r["value"], r["portal"]) for r in rules] == [
        (name, next(iter(values)), True) for name, values in RULE_NOTES.items()
    ]
    pakn = next(r for r in rules if r["switch"] == "pakn_judged_at")
    assert PAKN_NOTE in pakn["text"] and pakn["indicators"] == ["5.2", "5.3"]
    # Another reading names itself as the written one, the rest stay the portal's.
    written = run(facts, pakn_judged_at="as_of", sync_denominator="own_received").to_json()["rules"]
    assert {r["switch"] for r in written if not r["portal"]} == {"pakn_judged_at", "sync_denominator"}
    assert all(PAKN_NOTE not in r["text"] for r in written)


def test_rule_notes_in_the_table_and_the_workbook(facts, tmp_path):
    import io

    from openpyxl import load_workbook

    from motcua.index766.output import as_table, as_xlsx

    report = run(facts, rounding="exact")
    table = as_table(report)
    assert "Quy tắc tính như Cổng DVCQG, khác văn bản:" in table and PAKN_NOTE in table
    assert "Quy tắc tính theo văn bản, khác Cổng DVCQG:\n- Điểm tính từ tỷ lệ chưa làm tròn" in table
    sheet = load_workbook(io.BytesIO(as_xlsx(report)))["Quy tắc"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 6 and rows[-1][:3] == ("rounding", "exact", "Theo văn bản, khác Cổng DVCQG")
    assert any(PAKN_NOTE in r[4] for r in rows)


def test_score_switch_option_compares_readings(tmp_path, capsys):
    """``motcua score --switch name=value`` scores the other reading; the JSON says which."""
    import json

    from django.core.management import call_command

    from .builders import write_set

    folder = write_set(tmp_path / "set", **SCENARIO)
    readings = {}
    for extra in ([], ["--switch", "sync_denominator=reference"]):
        call_command("score", "--period", "2026-03", "--data", str(folder), "--format", "json", *extra)
        data = json.loads(capsys.readouterr().out)
        x1 = next(u for u in data["units"] if u["unit"] == "X1")
        i14 = next(i for i in x1["indicators"] if i["code"] == "1.4")
        rule = next(r for r in data["rules"] if r["switch"] == "sync_denominator")
        readings[rule["value"]] = (i14["numerator"], i14["denominator"], i14["score"], rule["portal"])
    assert readings == {"synced": (5, 5, 6.0, True), "reference": (5, 6, 5.0, False)}


def test_3_1_explained_at_the_province_only(facts):
    from motcua.index766.explain import explain

    # P: T2 and T4 (decision Q1) have no service in P's subtree on 31 March.
    assert sorted(m.record for m in explain(facts, "2026-03", "P", "3.1", now=NOW)) == ["T2", "T4"]
    # X1 is not scored on 3.1: nothing of it is a lost point (its own T4 and T2 included).
    assert explain(facts, "2026-03", "X1", "3.1", now=NOW) == []
    # §4's reading scores X1 on its own competence, so it has records that lost points.
    assert explain(facts, "2026-03", "X1", "3.1", now=NOW, switches={"procedure_lists": "competence"})


def test_explain_command_names_the_rules_and_takes_switches(tmp_path, capsys):
    from django.core.management import call_command

    from .builders import write_set

    folder = write_set(tmp_path / "set", **SCENARIO)
    call_command("explain", "--period", "2026-03", "--unit", "P", "--indicator", "3.2", "--data", str(folder))
    out = capsys.readouterr()
    assert out.out.split("\t")[:2] == ["MaTTHC", "T3"]
    assert "Quy tắc service_key=mattthc: Chỉ số 3.2 đếm số TTHC" in out.err and "pakn_judged_at" not in out.err
    call_command(
        "explain",
        "--period",
        "2026-03",
        "--unit",
        "P",
        "--indicator",
        "3.2",
        "--data",
        str(folder),
        "--switch",
        "service_key=madvc",
    )
    out = capsys.readouterr()
    assert sorted(line.split("\t")[1] for line in out.out.splitlines()) == ["DV5", "DV6"]
    assert "Quy tắc service_key=madvc: Chỉ số 3.2 đếm từng dịch vụ" in out.err
