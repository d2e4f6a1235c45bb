import json
import sys
from pathlib import Path

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.index766.commandline import load_facts, parse_switches


class Command(MotcuaCommand):
    help = (
        "Chấm điểm Bộ chỉ số 766 cho mọi đơn vị: trên cơ sở dữ liệu, hoặc trên một bộ dữ liệu trao đổi "
        "(--data) mà không cần nhập. / Score the 766 index for every unit: the database, or an exchange set "
        "(--data) without importing it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Kỳ: 2026, 2026-H1, 2026-Q3, 2026-08 / period")
        parser.add_argument(
            "--data", help="Bộ dữ liệu trao đổi (thư mục, .zip) hoặc snapshot .duckdb / exchange set or snapshot"
        )
        parser.add_argument("--unit", help="Chỉ đơn vị này (gộp cả đơn vị con) / only this unit (its subtree pooled)")
        parser.add_argument("--as-of", dest="as_of", help="Thời điểm đánh giá (ISO 8601) / evaluation instant")
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--output", help="Ghi ra tệp / write to this file (required for xlsx)")
        parser.add_argument(
            "--store",
            action="store_true",
            help="Lưu kết quả để bảng điểm đọc lại / store the tuples as snapshots for the scoreboard",
        )
        parser.add_argument(
            "--no-refresh",
            dest="refresh",
            action="store_false",
            help="Cơ sở dữ liệu: dùng bảng dẫn xuất 766 hiện có (worker giữ cập nhật), không dựng lại "
            "(2 triệu hồ sơ: tiết kiệm ~80 giây) / database: use the stored 766 tables as the worker "
            "keeps them, without rebuilding them",
        )
        parser.add_argument(
            "--switch",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Quy tắc tùy chọn, ví dụ result_scope=paper_only / a named rule switch",
        )

    def handle(self, period, data, unit, as_of, format, output, switch, store, refresh=True, **options):
        from motcua.index766.periods import parse_period

        parse_period(period)  # a bad period fails before any data is read
        switches = parse_switches(switch)
        if format == "xlsx" and not output:
            raise UserError("Định dạng xlsx cần --output TỆP.", "--format xlsx needs --output")
        units = [unit] if unit else None
        report = _report(period, data, units, as_of, switches, refresh)
        if unit and not any(u.unit == unit for u in report.units):
            raise UserError(f"Không có đơn vị mã «{unit}» trong dữ liệu.", f"unknown unit {unit!r}")

        if store:
            from motcua.index766.snapshots import store as store_report

            self.stderr.write(f"Đã lưu {store_report(report)} kết quả chỉ số.")
        # Everything is rendered before anything is written: a failure leaves no partial file.
        content = _render(report, format, unit)
        if output:
            path = Path(output)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            self.stderr.write(f"Đã ghi {path}")
        else:
            sys.stdout.write(content)


def _report(period, data, units, as_of, switches, refresh):
    """Score the exchange set ``data`` when given, else the database."""
    from motcua.index766.engine import score

    if data:
        facts = load_facts(Path(data))
        return score(facts, period, as_of=as_of, units=units, switches=switches)
    from motcua.index766.database import score_database

    return score_database(period, as_of=as_of, units=units, switches=switches, refresh=refresh)


def _render(report, format: str, unit: str | None) -> str | bytes:
    """The report in ``format``: JSON text, XLSX bytes or the text table (one unit's detail if asked)."""
    if format == "json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n"
    if format == "xlsx":
        from motcua.index766.output import as_xlsx

        return as_xlsx(report)
    from motcua.index766.output import as_table

    return as_table(report, detail_unit=unit)
