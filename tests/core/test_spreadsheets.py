"""Cells from data stay text in every workbook and CSV file the project writes (OWASP CSV injection)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from motcua.core.spreadsheets import csv_writer, neutralise, restore, xlsx_workbook
from tests.spreadsheets import HOSTILE, HOSTILE_CELLS, formulas


@pytest.mark.parametrize("text", [*HOSTILE_CELLS, "\t=1+1", "\r=1+1", "'=1+1", "''@x"])
def test_formula_like_cells_get_a_quote_and_come_back(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize(
    "text", ["", "Sở Tư pháp", "-5", "+84912345678", "-0.25", "1e-3", "'quoted", "a=b", '["x"]', "2026-03-01"]
)
def test_plain_text_and_numbers_are_left_alone(text):
    assert neutralise(text) == text
    assert restore(text) == text


def test_csv_writer_neutralises_every_text_cell():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["MaDonVi", "TenDonVi"])
    writer.writerows([["H44", HOSTILE], ["H45", -3]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["MaDonVi", "TenDonVi"], ["H44", "'" + HOSTILE], ["H45", "-3"]]


def test_workbook_writes_strings_as_text_whatever_the_caller_asks():
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer, {"in_memory": True, "strings_to_formulas": True, "strings_to_urls": True})
    sheet = book.add_worksheet("A")
    for row, text in enumerate([*HOSTILE_CELLS, "external:c:\\Windows\\system32\\calc.exe"]):
        sheet.write(row, 0, text)
    sheet.merge_range(10, 0, 10, 3, HOSTILE)
    book.close()
    content = buffer.getvalue()
    assert formulas(content) == []
    values = [r[0] for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert values[0] == HOSTILE and values[10] == HOSTILE
    assert load_workbook(io.BytesIO(content)).active["A5"].hyperlink is None
