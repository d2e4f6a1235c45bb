"""Score reports as a text table and as an XLSX workbook in the portal's layout."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from motcua.core.spreadsheets import xlsx_workbook

from .engine import ScoreReport
from .registry import get_formula_set

GROUPS = [
    ("CKMB", "Công khai, minh bạch"),
    ("TDGQ", "Tiến độ giải quyết"),
    ("CLGQ", "Dịch vụ công trực tuyến"),
    ("TTTT", "Thanh toán trực tuyến"),
    ("MDHL", "Mức độ hài lòng"),
    ("MDSH", "Số hóa hồ sơ"),
]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def as_table(report: ScoreReport, *, detail_unit: str | None = None) -> str:
    """Units ranked by total with their six group scores; one unit's indicators when asked."""
    data = report.to_json()
    header = ["Mã đơn vị", "Tên đơn vị", "Tổng", "Xếp loại", *(code for code, _ in GROUPS)]
    rows = []
    for unit in sorted(data["units"], key=lambda u: -u["total"]):
        groups = {g["code"]: g["score"] for g in unit["groups"]}
        rows.append(
            [
                unit["unit"],
                unit["name"][:40],
                _fmt(unit["total"]),
                unit["band"],
                *(_fmt(groups.get(code)) for code, _ in GROUPS),
            ]
        )
    lines = [f"Bộ chỉ số 766 ({data['formula_set']}), kỳ {data['period']['code']}, tính đến {data['as_of']}"]
    lines += _grid(header, rows)
    if detail_unit:
        unit = next(u for u in data["units"] if u["unit"] == detail_unit)
        lines.append("")
        lines.append(f"Chi tiết {unit['unit']} — {unit['name']}")
        lines += _grid(
            ["Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Tối đa", "Chỉ tiêu", "Ghi chú"],
            [
                [
                    i["code"],
                    _fmt(i["numerator"]),
                    _fmt(i["denominator"]),
                    _fmt(i["ratio"]),
                    _fmt(i["score"]),
                    _fmt(i["max"]),
                    _fmt(i["target"]),
                    i["note"] or "",
                ]
                for i in unit["indicators"]
            ],
        )
    rules = [r for r in data.get("rules", []) if r["portal"]]
    if rules:
        lines.append("")
        lines.append("Quy tắc tính như Cổng DVCQG, khác văn bản:")
        lines += [f"- {r['text']} ({r['switch']}={r['value']})" for r in rules]
    others = [r for r in data.get("rules", []) if not r["portal"]]
    if others:
        lines.append("")
        lines.append("Quy tắc tính theo văn bản, khác Cổng DVCQG:")
        lines += [f"- {r['text']} ({r['switch']}={r['value']})" for r in others]
    return "\n".join(lines) + "\n"


#: The XLSX sheet of rule notes (interchange.md §4.1): its name and column headers.
RULES_SHEET = "Quy tắc"
RULES_HEADERS = ["Tùy chọn", "Giá trị", "Cách tính", "Chỉ số", "Nội dung"]


def rules_rows(rules: list[dict]) -> list[list[str]]:
    """One row per rule note (ScoreReport.to_json()["rules"]), the portal's rules first."""
    return [
        [
            r["switch"],
            r["value"],
            "Như Cổng DVCQG, khác văn bản" if r["portal"] else "Theo văn bản, khác Cổng DVCQG",
            ", ".join(r["indicators"]) or "mọi chỉ số",
            r["text"],
        ]
        for r in sorted(rules, key=lambda r: not r["portal"])
    ]


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    return [line, "-" * len(line)] + [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]


@dataclass(frozen=True)
class _Styles:
    """The cell formats of one score workbook, and the caption line every sheet repeats."""

    caption: str
    bold: Any
    title: Any
    cell: Any
    number: Any
    percent: Any


def as_xlsx(report: ScoreReport) -> bytes:
    """A summary sheet, then one sheet per group: numerator, denominator, ratio and score of each indicator."""
    data = report.to_json()
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer, {"in_memory": True})
    styles = _Styles(
        caption=f"Kỳ {data['period']['code']}, tính đến {data['as_of']} — bộ công thức {data['formula_set']}",
        bold=book.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"}
        ),
        title=book.add_format({"bold": True, "font_size": 13}),
        cell=book.add_format({"border": 1}),
        number=book.add_format({"border": 1, "num_format": "0.00"}),
        percent=book.add_format({"border": 1, "num_format": "0.00%"}),
    )
    units = sorted(data["units"], key=lambda u: -u["total"])
    group_of = {i.code: i.group for i in get_formula_set(data["formula_set"]).indicators}

    _summary_sheet(book, styles, units)
    for code, name in GROUPS:
        indicators = [i for i in units[0]["indicators"] if group_of[i["code"]] == code] if units else []
        _group_sheet(book, styles, code, name, indicators, units)
    _rules_sheet(book, styles, data["rules"])
    book.close()
    return buffer.getvalue()


def _summary_sheet(book: Any, styles: _Styles, units: list[dict[str, Any]]) -> None:
    """The "Tổng hợp" sheet: each unit's six group scores, total and band, ranked."""
    sheet = book.add_worksheet("Tổng hợp")
    sheet.write(0, 0, "KẾT QUẢ BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg)", styles.title)
    sheet.write(1, 0, styles.caption)
    headers = [
        "STT",
        "Mã đơn vị",
        "Tên đơn vị",
        *(f"{name} ({code})" for code, name in GROUPS),
        "Tổng điểm",
        "Xếp loại",
    ]
    for col, text in enumerate(headers):
        sheet.write(3, col, text, styles.bold)
    for index, unit in enumerate(units, start=1):
        groups = {g["code"]: g["score"] for g in unit["groups"]}
        values = [
            index,
            unit["unit"],
            unit["name"],
            *(groups.get(code) for code, _ in GROUPS),
            unit["total"],
            unit["band"],
        ]
        for col, value in enumerate(values):
            sheet.write(3 + index, col, value, styles.number if isinstance(value, float) else styles.cell)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, len(headers), 14)
    sheet.freeze_panes(4, 3)


def _group_sheet(
    book: Any,
    styles: _Styles,
    code: str,
    name: str,
    indicators: list[dict[str, Any]],
    units: list[dict[str, Any]],
) -> None:
    """One group's sheet: numerator, denominator, ratio and score of its indicators for each unit."""
    sheet = book.add_worksheet(code)
    sheet.write(0, 0, f"{name.upper()} ({code})", styles.title)
    sheet.write(1, 0, styles.caption)
    sheet.write(3, 0, "STT", styles.bold)
    sheet.write(3, 1, "Mã đơn vị", styles.bold)
    sheet.write(3, 2, "Tên đơn vị", styles.bold)
    col = 3
    for indicator in indicators:
        sheet.merge_range(2, col, 2, col + 3, f"Chỉ số {indicator['code']} (tối đa {indicator['max']})", styles.bold)
        for offset, text in enumerate(["Tử số", "Mẫu số", "Tỷ lệ", "Điểm"]):
            sheet.write(3, col + offset, text, styles.bold)
        col += 4
    sheet.write(3, col, "Điểm nhóm", styles.bold)
    for row, unit in enumerate(units, start=4):
        sheet.write(row, 0, row - 3, styles.cell)
        sheet.write(row, 1, unit["unit"], styles.cell)
        sheet.write(row, 2, unit["name"], styles.cell)
        by_code = {i["code"]: i for i in unit["indicators"]}
        col = 3
        for indicator in indicators:
            values = by_code[indicator["code"]]
            sheet.write(row, col, values["numerator"], styles.cell)
            sheet.write(row, col + 1, values["denominator"], styles.cell)
            sheet.write(row, col + 2, values["ratio"], styles.percent)
            sheet.write(row, col + 3, values["score"], styles.number)
            col += 4
        sheet.write(row, col, next(g["score"] for g in unit["groups"] if g["code"] == code), styles.number)
    sheet.set_column(2, 2, 40)
    sheet.freeze_panes(4, 3)


def _rules_sheet(book: Any, styles: _Styles, rules: list[dict[str, Any]]) -> None:
    """The sheet of the rules where the portal's scoring differs from the written decision."""
    sheet = book.add_worksheet(RULES_SHEET)
    sheet.write(0, 0, "QUY TẮC TÍNH ĐIỂM KHÁC GIỮA CỔNG DVCQG VÀ VĂN BẢN", styles.title)
    sheet.write(1, 0, styles.caption)
    for col, text in enumerate(RULES_HEADERS):
        sheet.write(3, col, text, styles.bold)
    for row, values in enumerate(rules_rows(rules), start=4):
        for col, value in enumerate(values):
            sheet.write(row, col, value, styles.cell)
    sheet.set_column(0, 3, 18)
    sheet.set_column(4, 4, 100)
