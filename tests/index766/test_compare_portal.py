"""``motcua compare PORTAL.csv`` on a set built faithfully from published numbers: zero differences,
indicator, group and total lines alike, when the database is scored with the portal's rules
(interchange.md §4.1); the decimal rounding of §4 is caught on the group and the total.

The published lines (a commune X1 and its province P, March 2026): 400 dossiers of a fee-bearing
procedure received at X1, all synced, none late (due in April), none online, 373 paid online
(3.6 = 93.25 %: 6 × 93.25 ÷ 100 = 5.595, stored as 5.59499… in binary -> 5.59, §4's decimal rule
gives 5.60); no publication decision, service or complaint. Each value below is worked out by hand
from the published counts:

    1.1, 1.2, 1.3  no decision: 0/0, null (adds 0)    1.4  400/400 synced: 6
    2.1  400/400 on time: 20        2.2  no dossier finished: 0/0, null (0 points)
    3.1  no decision: 0/0 -> 0 (X1: scored at the province only, no numbers)
    3.2  no service: 0/0 -> 0       3.3  0/400 online: 0
    3.5  T2 has a dossier with its fee list: 1/1 -> min(2, 2 ÷ 0.8 × 100 ÷ 100) = 2
    3.5b T2 has a dossier paid online: 1/1 -> 2                3.6  373/400 -> 5.59
    4.1–4.4, 4.5b  0/400: 0         4.5a  T2 names no citizen subject: 0/0, null
    4.6  the communes of the subtree (X1) offering e-certification: 1/1 -> 2
    5.1a, 5.1b, 5.2, 5.3  no complaint: 0/0: null, null, full 6, full 6
    5.4  400/400 without PAKN or dislike, none late: min(6, 6 ÷ 0.9 × 100 ÷ 100) = 6

    CKMB 6  TDGQ 20  CLGQ 0  TTTT 9.59  MDHL 18  MDSH 2 (4.6 only)  -> total 55.59
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.index766.snapshots import compare_with_portal
from motcua.interchange.importer import import_exchange_set

from .builders import dossier, procedure, unit, write_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

N, PAID = 400, 373
#: (TuSo, MauSo, Diem) as the portal publishes them; None is an empty cell.
PUBLISHED = {
    "1.1": (0, 0, None),
    "1.2": (0, 0, None),
    "1.3": (0, 0, None),
    "1.4": (N, N, 6),
    "2.1": (N, N, 20),
    "2.2": (0, 0, None),
    "3.1": (0, 0, 0),
    "3.2": (0, 0, 0),
    "3.3": (0, N, 0),
    "3.5": (1, 1, 2),
    "3.5b": (1, 1, 2),
    "3.6": (PAID, N, 5.59),
    "4.1": (0, N, 0),
    "4.2": (0, N, 0),
    "4.3": (0, N, 0),
    "4.4": (0, N, 0),
    "4.5a": (0, 0, None),
    "4.5b": (0, N, 0),
    "4.6": (1, 1, 2),
    "5.1a": (0, 0, None),
    "5.1b": (0, 0, None),
    "5.2": (0, 0, 6),
    "5.3": (0, 0, 6),
    "5.4": (N, N, 6),
}
GROUPS = {"CKMB": 6, "TDGQ": 20, "CLGQ": 0, "TTTT": 9.59, "MDHL": 18, "MDSH": 2}
TOTAL = 55.59


def published_set(folder):
    units = [unit("P", "TINH"), unit("X1", "XA", "P", CungCapChungThucDienTu=True)]
    fee = [{"MaPhiLePhi": "L1", "TenPhiLePhi": "Lệ phí", "Gia": 50000}]
    dossiers = [
        dossier(
            f"D{k:03d}",
            "T2",
            "X1",
            f"2026-03-{2 + k % 20:02d}T08:00",
            "2026-04-30T17:00",
            NgayDongBo=f"2026-03-{2 + k % 20:02d}T09:00",
            DanhSachLePhi=fee,
            **({"DuocThanhToanTrucTuyen": 1, "NgayThanhToan": f"2026-03-{2 + k % 20:02d}T10:00"} if k < PAID else {}),
        )
        for k in range(N)
    ]
    return write_set(folder, units=units, procedures=[procedure("T2", CoPhiLePhi=True)], dossiers=dossiers)


def portal_csv(path, *, units=("X1", "P")) -> None:
    def cell(x):
        return "" if x is None else f"{x:g}"

    lines = ["MaDonVi,Ky,MaChiSo,TuSo,MauSo,Diem"]
    for u in units:
        for code, (num, den, score) in PUBLISHED.items():
            if u == "X1" and code == "3.1":  # scored at the province only: the portal shows nothing
                num = den = None
            lines.append(f"{u},2026-03,{code},{cell(num)},{cell(den)},{cell(score)}")
        lines += [f"{u},2026-03,{g},,,{cell(s)}" for g, s in GROUPS.items()]
        lines.append(f"{u},2026-03,TONG,,,{cell(TOTAL)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def imported(tmp_path):
    assert import_exchange_set(published_set(tmp_path / "set")).ok
    portal_csv(tmp_path / "cong.csv")
    return tmp_path / "cong.csv"


def test_a_faithful_set_compares_clean(imported, capsys):
    assert sum(GROUPS.values()) == pytest.approx(TOTAL)
    call_command("score", "--period", "2026-03", "--store", "--format", "json")
    capsys.readouterr()
    assert compare_with_portal(imported) == []
    call_command("compare", str(imported))
    out = capsys.readouterr()
    assert out.out == "" and "0 chênh lệch" in out.err


def test_the_decimal_rule_differs_on_3_6_its_group_and_the_total(imported, capsys):
    call_command("score", "--period", "2026-03", "--store", "--format", "json", "--switch", "rounding=exact")
    got = {(d.unit, d.indicator, d.field): (d.ours, d.portal) for d in compare_with_portal(imported)}
    assert got == {
        (u, code, "Diem"): (ours, theirs)
        for u in ("X1", "P")
        for code, ours, theirs in (("3.6", 5.6, 5.59), ("TTTT", 9.6, 9.59), ("TONG", 55.6, 55.59))
    }


def test_group_and_total_lines_of_units_not_scored_are_differences(imported):
    call_command("score", "--period", "2026-03", "--store", "--format", "json")
    path = imported.with_name("other.csv")
    path.write_text(
        "MaDonVi,Ky,MaChiSo,TuSo,MauSo,Diem\nX9,2026-03,TTTT,,,9.59\nX1,2026-03,TONG,,,55.6\n", encoding="utf-8"
    )
    got = [(d.unit, d.indicator, d.field, d.ours, d.portal) for d in compare_with_portal(path)]
    assert got == [("X9", "TTTT", "Diem", None, 9.59), ("X1", "TONG", "Diem", 55.59, 55.6)]


def test_groups_and_totals_are_sums_of_rounded_scores_everywhere(imported, capsys, tmp_path):
    """The JSON, the stored tuples (API), the scoreboard's rows and both workbooks show X1's
    TTTT as 9.59 and its total as 55.59: sums of the rounded scores, never a rounded sum."""
    import io
    import json

    from openpyxl import load_workbook

    from motcua.index766.snapshots import stored_json
    from motcua.scoreboard import services, xlsx

    call_command("score", "--period", "2026-03", "--store", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    for source in (data, stored_json("2026-03")):
        x1 = next(u for u in source["units"] if u["unit"] == "X1")
        assert ({g["code"]: g["score"] for g in x1["groups"]}, x1["total"]) == (GROUPS, TOTAL)
    board = services.board(services.resolve_period("2026-03"))
    row = next(r for r in board.of_kind("XA") if r.code == "X1")
    assert ({g: float(v) for g, v in row.groups.items()}, float(row.total)) == (GROUPS, TOTAL)
    # The scoreboard's workbook (its ranking sheet) and motcua score's (the group's sheet).
    book = load_workbook(io.BytesIO(xlsx.overview_book(board, [("Xã", [row])], "")))
    ranking = next(book["Xã"].iter_rows(min_row=6, values_only=True))
    assert (ranking[1], ranking[3], ranking[5 + services.GROUP_CODES.index("TTTT")]) == ("X1", TOTAL, 9.59)
    call_command("score", "--period", "2026-03", "--format", "xlsx", "--output", str(tmp_path / "d.xlsx"))
    sheet = load_workbook(tmp_path / "d.xlsx")["TTTT"]
    x1 = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[1] == "X1")
    assert (x1[-2], x1[-1]) == (5.59, 9.59)  # 3.6's score (its last column), the group's
