import time

from django.utils import timezone

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.index766.periods import parse_period
from motcua.scoreboard.services import compute_snapshots, periods_of_year

KINDS = ("month", "quarter", "half", "year")


class Command(MotcuaCommand):
    help = (
        "Tính và lưu kết quả Bộ chỉ số 766 (snapshot) của mọi đơn vị cho các tháng, quý, 6 tháng và năm của một "
        "năm, một dải năm hoặc các kỳ chỉ định, để bảng điểm và biểu đồ diễn biến đọc lại. / Compute and store "
        "the 766 tuples of every unit for the months, quarters, halves and year of a year, a range of years or "
        "the given periods, for the scoreboard and its trend chart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Năm (mặc định: năm nay) / year (default: this year)")
        parser.add_argument(
            "--to-year", dest="to_year", type=int, help="Đến năm (dải --year..--to-year) / last year of a range"
        )
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            metavar="KỲ",
            help="Chỉ kỳ này, lặp lại được: 2026, 2026-H1, 2026-Q3, 2026-08 / only this period (repeatable)",
        )
        parser.add_argument(
            "--kinds",
            default=",".join(KINDS),
            help="Loại kỳ khi dùng --year: month,quarter,half,year / period kinds for --year",
        )
        parser.add_argument(
            "--no-refresh",
            dest="refresh",
            action="store_false",
            help="Không làm mới dữ liệu tính toán trước (đã làm mới) / skip refreshing the facts",
        )

    def handle(self, year, to_year, period, kinds, refresh, **options):
        today = timezone.localdate()
        if period:
            if year or to_year:
                raise UserError("Dùng --period hoặc --year, không dùng cả hai.", "--period and --year together")
            periods = []
            for code in period:
                p = parse_period(code)
                if p.start_date > today:
                    raise UserError(f"Kỳ {p.code} chưa bắt đầu.", f"period {p.code} has not started")
                periods.append(p.code)
        else:
            chosen = tuple(k.strip() for k in kinds.split(",") if k.strip())
            unknown = set(chosen) - set(KINDS)
            if unknown or not chosen:
                raise UserError(f"--kinds chỉ nhận {', '.join(KINDS)}.", f"bad --kinds {kinds!r}")
            first = year or today.year
            last = to_year or first
            if last < first:
                raise UserError("--to-year phải không nhỏ hơn --year.", "--to-year before --year")
            if first > today.year:
                raise UserError(f"Năm {first} chưa bắt đầu.", f"year {first} has not started")
            periods = [c for y in range(first, last + 1) for c in periods_of_year(y, chosen, today)]
        started = time.monotonic()

        def progress(code, rows, seconds):
            self.stdout.write(f"  {code:<8} {rows:>7} kết quả  {seconds:6.1f} s")

        self.stdout.write(f"Tính {len(periods)} kỳ …")
        stored = compute_snapshots(periods, refresh=refresh, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(f"Đã lưu {sum(stored.values())} kết quả chỉ số của {len(stored)} kỳ trong {elapsed:.1f} s.")
