"""``motcua deadline --start TS --duration "N UNIT" [--cutoff HH:MM]`` (interchange.md §3)."""

from __future__ import annotations

import math
from datetime import datetime, time

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.workdays import services
from motcua.workdays.calendar import DURATION_UNITS, VN_TZ


def parse_start(text: str) -> datetime:
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"Thời điểm bắt đầu không hợp lệ: {text!r} (cần dạng ISO 8601, ví dụ 2026-01-05T08:00:00+07:00).",
            f"invalid --start {text!r}: expected ISO 8601",
        ) from None
    # A timestamp without offset means Asia/Ho_Chi_Minh (interchange.md §1).
    return dt.replace(tzinfo=VN_TZ) if dt.tzinfo is None else dt


def parse_duration(text: str) -> tuple[float, str]:
    parts = text.split()
    units = ", ".join(DURATION_UNITS)
    if len(parts) != 2:
        raise UserError(
            f'Thời hạn không hợp lệ: {text!r} (cần dạng "N ĐƠN_VỊ", đơn vị là {units}).',
            f"invalid --duration {text!r}: expected 'N UNIT'",
        )
    number, unit = parts
    if unit not in DURATION_UNITS:
        raise UserError(
            f"Đơn vị thời hạn không hợp lệ: {unit!r} (chọn một trong: {units}).",
            f"invalid duration unit {unit!r}",
        )
    try:
        amount = float(number.replace(",", "."))
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount < 0:
        raise UserError(
            f"Số lượng thời hạn không hợp lệ: {number!r} (cần một số không âm).",
            f"invalid duration amount {number!r}",
        )
    return amount, unit


def parse_cutoff(text: str) -> time:
    try:
        hh, mm = text.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise UserError(
            f"Giờ chốt không hợp lệ: {text!r} (cần dạng HH:MM, ví dụ 15:00).",
            f"invalid --cutoff {text!r}: expected HH:MM",
        ) from None


class Command(MotcuaCommand):
    help = (
        "Tính thời điểm hẹn trả theo lịch làm việc chính thức / "
        "Compute the due instant under the official working-day calendar."
    )

    def add_arguments(self, parser):
        # Not argparse-required: a missing value is reported as a one-line UserError (exit 2).
        parser.add_argument(
            "--start",
            metavar="TS",
            help="thời điểm bắt đầu tính, ISO 8601 (không ghi múi giờ = +07:00) / "
            "start instant, ISO 8601 (no offset means +07:00)",
        )
        parser.add_argument(
            "--duration",
            metavar='"N UNIT"',
            help=f'thời hạn, ví dụ "5 ngay_lam_viec"; đơn vị: {", ".join(DURATION_UNITS)} / '
            'duration, e.g. "5 ngay_lam_viec"',
        )
        parser.add_argument(
            "--cutoff",
            metavar="HH:MM",
            help="giờ chốt: tiếp nhận sau giờ này tính từ ngày làm việc tiếp theo / "
            "cut-off: a start after it counts from the next working day",
        )

    def handle(self, *args, **options):
        if not options.get("start"):
            raise UserError("Thiếu --start (thời điểm bắt đầu).", "missing --start")
        if not options.get("duration"):
            raise UserError('Thiếu --duration (thời hạn, ví dụ "5 ngay_lam_viec").', "missing --duration")
        start = parse_start(options["start"])
        amount, unit = parse_duration(options["duration"])
        cutoff = parse_cutoff(options["cutoff"]) if options.get("cutoff") else None
        calendar = services.get_calendar()
        try:
            due = calendar.add(start, amount, unit, cutoff)
        except ValueError as exc:
            raise UserError(
                f"Không tính được thời hạn: ngoài phạm vi lịch làm việc ({calendar.first_year}–{calendar.last_year}).",
                str(exc),
            ) from None
        self.stdout.write(due.astimezone(VN_TZ).isoformat())
