"""motcua score / explain / forecast / compare: the command contracts of interchange.md §3."""

import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command

from motcua.index766.models import IndicatorSnapshot
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set

GROUPS = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
INDICATORS = (
    "1.1 1.2 1.3 1.4 2.1 2.2 3.1 3.2 3.3 3.5 3.5b 3.6 4.1 4.2 4.3 4.4 4.5a 4.5b 4.6 5.1a 5.1b 5.2 5.3 5.4".split()
)


@pytest.fixture(scope="module")
def exchange_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("score") / "set"
    generate_exchange_set(folder, dossiers=400, seed=5, until=date(2026, 11, 20), units=60, procedures=200)
    return folder


def run(capsys, *args):
    call_command(*args)
    return capsys.readouterr()


def test_json_has_the_contract_shape(exchange_set, capsys):
    out = run(capsys, "score", "--period", "2026-08", "--data", str(exchange_set), "--format", "json").out
    data = json.loads(out)
    assert data["formula_set"] == "portal-2026"
    assert data["period"] == {
        "code": "2026-08",
        "start": "2026-08-01T00:00:00+07:00",
        "end": "2026-09-01T00:00:00+07:00",
    }
    assert data["as_of"] == "2026-09-01T00:00:00+07:00"
    units = {u["unit"]: u for u in data["units"]}
    assert len(units) == sum(1 for _ in (exchange_set / "units.jsonl").open(encoding="utf-8"))
    for unit in units.values():
        assert [g["code"] for g in unit["groups"]] == GROUPS
        assert [i["code"] for i in unit["indicators"]] == INDICATORS
        assert unit["total"] == pytest.approx(sum(g["score"] for g in unit["groups"]), abs=0.011)
        assert unit["band"] in {"Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"}


def test_one_unit_table_lists_its_indicators(exchange_set, capsys):
    out = run(capsys, "score", "--period", "2026-Q3", "--data", str(exchange_set), "--unit", "H44.01").out
    assert "Chi tiết H44.01" in out and "\n2.1 " in out and "Xếp loại" in out


def test_xlsx_has_a_summary_and_one_sheet_per_group(exchange_set, tmp_path, capsys):
    target = tmp_path / "diem.xlsx"
    run(capsys, "score", "--period", "2026", "--data", str(exchange_set), "--format", "xlsx", "--output", str(target))
    book = openpyxl.load_workbook(target, read_only=True)
    # The last sheet lists the rules that are the portal's and differ from the decision (§4.1).
    assert book.sheetnames == ["Tổng hợp", *GROUPS, "Quy tắc"]
    headers = [c.value for c in next(book["TDGQ"].iter_rows(min_row=4, max_row=4))]
    assert headers[:5] == ["STT", "Mã đơn vị", "Tên đơn vị", "Tử số", "Mẫu số"]


def test_xlsx_writes_a_hostile_unit_name_as_text(exchange_set, tmp_path, capsys):
    import shutil

    from tests.spreadsheets import HOSTILE, formulas

    hostile = tmp_path / "set"
    shutil.copytree(exchange_set, hostile)
    units = [json.loads(line) for line in (hostile / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    units[1]["TenDonVi"] = HOSTILE
    (hostile / "units.jsonl").write_text(
        "".join(json.dumps(u, ensure_ascii=False) + "\n" for u in units), encoding="utf-8"
    )
    target = tmp_path / "diem.xlsx"
    run(capsys, "score", "--period", "2026", "--data", str(hostile), "--format", "xlsx", "--output", str(target))
    assert formulas(target.read_bytes()) == []
    names = [row[2] for row in openpyxl.load_workbook(target)["Tổng hợp"].iter_rows(min_row=5, values_only=True)]
    assert HOSTILE in names


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2026-13"],
        ["--period", "2026-Q3", "--unit", "KHONG-CO"],
        ["--period", "2026", "--format", "xlsx"],
        ["--period", "2026", "--switch", "result_scope=hmm"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(exchange_set, tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        call_command("score", "--data", str(exchange_set), *args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Lỗi: ")


def test_a_set_with_errors_is_refused_and_nothing_written(exchange_set, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in exchange_set.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    lines = (broken / "dossiers.jsonl").read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace('"KenhThucHien":', '"KenhThucHien":9,"x":')
    (broken / "dossiers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.json"
    with pytest.raises(SystemExit):
        call_command("score", "--period", "2026", "--data", str(broken), "--format", "json", "--output", str(target))
    assert "dòng 10" in capsys.readouterr().err and not target.exists()


def test_explain_and_forecast_from_the_cli(exchange_set, capsys):
    out = run(capsys, "explain", "--period", "2026", "--unit", "H44", "--indicator", "2.1", "--data", str(exchange_set))
    assert out.out.count("MaHoSo") >= 1 and "mục làm mất điểm" in out.err
    forecast = json.loads(
        run(
            capsys,
            "forecast",
            "--period",
            "2026-11",
            "--data",
            str(exchange_set),
            "--as-of",
            "2026-11-10T09:00",
            "--format",
            "json",
        ).out
    )
    assert forecast["period"] == "2026-11" and forecast["units"]
    assert forecast["items"] == sorted(forecast["items"], key=lambda i: -i["points"])


@pytest.mark.django_db
def test_stored_snapshots_compare_with_the_portal(exchange_set, tmp_path, capsys):
    import_exchange_set(exchange_set)
    run(capsys, "score", "--period", "2026-08", "--data", str(exchange_set), "--store", "--format", "json")
    stored = IndicatorSnapshot.objects.get(unit__code="H44.01", period="2026-08", indicator="2.1")
    portal = tmp_path / "cong.csv"
    portal.write_text(
        "MaDonVi,Ky,MaChiSo,TuSo,MauSo,Diem\n"
        f"H44.01,2026-08,2.1,{stored.numerator:g},{stored.denominator:g},{stored.score}\n"
        f"H44.01,2026-08,5.4,1,1,6\n"
        "H44.99,2026-08,2.1,1,1,20\n",
        encoding="utf-8",
    )
    out = run(capsys, "compare", str(portal))
    lines = [line.split("\t") for line in out.out.strip().splitlines()]
    assert not any(row[:3] == ["H44.01", "2026-08", "2.1"] for row in lines)  # identical: no difference
    assert ["H44.99", "2026-08", "2.1", "TuSo", "motcua=chưa tính", "cổng=1"] in lines
    mine = IndicatorSnapshot.objects.get(unit__code="H44.01", period="2026-08", indicator="5.4")
    mine_score = None if mine.score is None else float(mine.score)
    expected = {
        field
        for field, ours, theirs in [
            ("TuSo", mine.numerator, 1),
            ("MauSo", mine.denominator, 1),
            ("Diem", mine_score, 6),
        ]
        if ours != theirs
    }
    assert {row[3] for row in lines if row[:3] == ["H44.01", "2026-08", "5.4"]} == expected
