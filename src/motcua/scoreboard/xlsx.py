"""XLSX exports of the scoreboard pages (xuất Excel), Vietnamese headers, the numbers the page shows.

One generic writer: a workbook of sheets, each a title, a caption line and a table.
(``index766.output.as_xlsx`` lays out a whole ScoreReport; the pages read stored
snapshots and their own lists, so they get this smaller writer.)
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from motcua.core.spreadsheets import xlsx_workbook
from motcua.index766.periods import VN

from .services import GROUP_CODES, GROUPS, Board, IndicatorRow, UnitRow

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DISCLAIMER = "Số liệu do hệ thống tính, không phải số liệu chính thức của Cổng DVCQG."


class Percent(float):
    """A ratio shown as a percentage (the cell keeps the fraction, formatted 0.00%)."""


@dataclass
class Sheet:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str = ""
    widths: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Formats:
    """The cell formats of one workbook."""

    title: Any
    head: Any
    cell: Any
    number: Any
    instant: Any
    day: Any
    percent: Any


def workbook(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer, {"in_memory": True, "remove_timezone": True})
    formats = _Formats(
        title=book.add_format({"bold": True, "font_size": 13}),
        head=book.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"}
        ),
        cell=book.add_format({"border": 1}),
        number=book.add_format({"border": 1, "num_format": "0.00"}),
        instant=book.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm"}),
        day=book.add_format({"border": 1, "num_format": "dd/mm/yyyy"}),
        percent=book.add_format({"border": 1, "num_format": "0.00%"}),
    )
    for sheet in sheets:
        _write_sheet(book, sheet, formats)
    book.close()
    return buffer.getvalue()


def _write_sheet(book: Any, sheet: Sheet, formats: _Formats) -> None:
    """One worksheet: title, caption, disclaimer, then the table under its headers."""
    ws = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", sheet.name)[:31])
    ws.write(0, 0, sheet.title, formats.title)
    ws.write(1, 0, sheet.caption)
    ws.write(2, 0, DISCLAIMER)
    for col, text in enumerate(sheet.headers):
        ws.write(4, col, text, formats.head)
    for r, values in enumerate(sheet.rows, start=5):
        for c, value in enumerate(values):
            _write_value(ws, r, c, value, formats)
    ws.set_column(0, max(len(sheet.headers) - 1, 0), 14)
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    ws.freeze_panes(5, 0)


def _write_value(ws: Any, r: int, c: int, value: Any, formats: _Formats) -> None:
    """One cell, written and formatted by the type of its value (instants in Vietnam's time)."""
    if value is None:
        ws.write_blank(r, c, None, formats.cell)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value.astimezone(VN).replace(tzinfo=None), formats.instant)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), formats.day)
    elif isinstance(value, Percent):
        ws.write_number(r, c, float(value), formats.percent)
    elif isinstance(value, Decimal):
        ws.write_number(r, c, float(value), formats.number)
    elif isinstance(value, float):
        ws.write_number(r, c, value, formats.number)
    elif isinstance(value, bool):
        ws.write(r, c, "Có" if value else "Không", formats.cell)
    else:
        ws.write(r, c, value, formats.cell)


def response(content: bytes, filename: str) -> HttpResponse:
    out = HttpResponse(content, content_type=XLSX_TYPE)
    out["Content-Disposition"] = f'attachment; filename="{filename}"'
    return out


GROUP_HEADERS = [f"{GROUPS[g][0]} ({g})" for g in GROUP_CODES]
RANKING_HEADERS = ["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Xếp loại", *GROUP_HEADERS]


def ranking_rows(rows: list[UnitRow]) -> list[list[Any]]:
    return [[r.rank, r.code, r.name, r.total, r.band, *(r.groups.get(g) for g in GROUP_CODES)] for r in rows]


def rules_sheet(rules: list[dict], caption: str) -> Sheet:
    """Where the stored scores follow the portal's rules and differ from the written decision (§4.1)."""
    from motcua.index766.output import RULES_HEADERS, RULES_SHEET, rules_rows

    return Sheet(
        RULES_SHEET,
        "QUY TẮC TÍNH ĐIỂM KHÁC GIỮA CỔNG DVCQG VÀ VĂN BẢN",
        RULES_HEADERS,
        rules_rows(rules),
        caption=caption,
        widths={2: 28, 4: 100},
    )


def overview_book(
    board: Board, tables: list[tuple[str, list[UnitRow]]], caption: str, rules: list[dict] | None = None
) -> bytes:
    sheets = []
    province = board.province
    summary = Sheet(
        "Tổng hợp",
        "KẾT QUẢ BỘ CHỈ SỐ 766 CỦA TỈNH",
        ["Nhóm chỉ số", "Điểm", "Điểm tối đa"],
        caption=caption,
        widths={0: 40},
    )
    if province is not None:
        summary.title = f"KẾT QUẢ BỘ CHỈ SỐ 766 — {province.name.upper()}"
        summary.rows = [[f"{GROUPS[g][0]} ({g})", province.groups.get(g), board.group_max.get(g)] for g in GROUP_CODES]
        summary.rows.append(["Tổng điểm", province.total, Decimal(100)])
        summary.rows.append(["Xếp loại", province.band, None])
    sheets.append(summary)
    for label, rows in tables:
        sheets.append(
            Sheet(
                str(label),
                f"XẾP HẠNG {str(label).upper()}",
                RANKING_HEADERS,
                ranking_rows(rows),
                caption=caption,
                widths={0: 6, 2: 40},
            )
        )
    if rules:
        sheets.append(rules_sheet(rules, caption))
    return workbook(sheets)


INDICATOR_HEADERS = [
    "Chỉ số",
    "Tên chỉ số",
    "Nhóm",
    "Tử số",
    "Mẫu số",
    "Tỷ lệ",
    "Điểm",
    "Điểm tối đa",
    "Chỉ tiêu",
    "Ghi chú",
    "Cách tính",
]


def unit_book(unit: UnitRow, indicators: list[IndicatorRow], caption: str, rules: list[dict] | None = None) -> bytes:
    rows = [
        [
            i.code,
            i.name,
            i.group,
            i.numerator,
            i.denominator,
            Percent(i.ratio) if i.ratio is not None and i.ratio_kind == "fraction" else i.ratio,
            i.score,
            i.max_points,
            Percent(i.target) if i.target is not None else None,
            i.note,
            i.explanation,
        ]
        for i in indicators
    ]
    rows.append(["", "Tổng điểm", "", None, None, None, unit.total, Decimal(100), None, unit.band, ""])
    sheets = [
        Sheet(
            "Chỉ số",
            f"KẾT QUẢ BỘ CHỈ SỐ 766 — {unit.code} {unit.name}".upper(),
            INDICATOR_HEADERS,
            rows,
            caption=caption,
            widths={1: 50, 9: 30, 10: 80},
        )
    ]
    return workbook(sheets + ([rules_sheet(rules, caption)] if rules else []))
