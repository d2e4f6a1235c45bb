"""``motcua generate --output DIR [--dossiers N] [--seed S] [--until D] [--units N] [--procedures N]``
(interchange.md §3): a deterministic synthetic province as an exchange set."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.interchange import generator as gen

MAX_UNITS = 5000
MAX_PROCEDURES = 10_000
MAX_DOSSIERS = 50_000_000


def parse_until(text: str) -> date:
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"Ngày --until không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2026-11-20).",
            f"invalid --until {text!r}: expected YYYY-MM-DD",
        ) from None
    # The official calendar covers 2000–2045; the window needs a year before and months after.
    if not date(2001, 1, 1) <= d <= date(2044, 12, 31):
        raise UserError(
            f"Ngày --until {d.isoformat()} nằm ngoài khoảng hỗ trợ 2001-01-01…2044-12-31.",
            f"--until {d.isoformat()} outside 2001-01-01..2044-12-31",
        )
    return d


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise UserError(
            f"{name} phải nằm trong khoảng {low}…{high} (đã cho {value}).",
            f"{name} must be within {low}..{high}, got {value}",
        )


class Command(MotcuaCommand):
    help = (
        "Sinh bộ dữ liệu trao đổi của một tỉnh giả lập (đơn vị, TTHC, DVC, quyết định công bố, "
        "hồ sơ một năm, PAKN, số liệu đối chiếu), tất định theo hạt giống. / "
        "Write a deterministic synthetic province as an exchange set (units, procedures, online "
        "services, publications, a year of dossiers, complaints, reference counts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Thư mục đích / output folder")
        parser.add_argument(
            "--dossiers",
            type=int,
            default=gen.DEFAULT_DOSSIERS,
            help=f"Số hồ sơ / number of dossiers ({gen.DEFAULT_DOSSIERS})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=gen.DEFAULT_SEED,
            help=f"Hạt giống / random seed ({gen.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--until",
            default=gen.DEFAULT_UNTIL.isoformat(),
            help="Ngày cuối của 12 tháng hồ sơ / last day of the 12-month window "
            f"(YYYY-MM-DD, {gen.DEFAULT_UNTIL.isoformat()})",
        )
        parser.add_argument(
            "--units",
            type=int,
            default=gen.DEFAULT_UNITS,
            help=f"Số đơn vị / number of units ({gen.DEFAULT_UNITS})",
        )
        parser.add_argument(
            "--procedures",
            type=int,
            default=gen.DEFAULT_PROCEDURES,
            help=f"Số TTHC / number of procedures ({gen.DEFAULT_PROCEDURES})",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ghi vào thư mục không rỗng / write into a non-empty folder",
        )

    def handle(self, output, dossiers, seed, until, units, procedures, force, **options):
        until_d = parse_until(until)
        _check_range("--dossiers", dossiers, 0, MAX_DOSSIERS)
        _check_range("--seed", seed, 0, 2**63 - 1)
        _check_range("--units", units, gen.MIN_UNITS, MAX_UNITS)
        _check_range("--procedures", procedures, gen.MIN_PROCEDURES, MAX_PROCEDURES)
        path = Path(output)
        if path.exists() and not path.is_dir():
            raise UserError(f"{path} không phải là thư mục.", f"{path} is not a folder")
        if path.is_dir() and any(path.iterdir()) and not force:
            raise UserError(
                f"Thư mục {path} không rỗng; dùng --force để ghi đè.",
                f"{path} is not empty; use --force",
            )
        progress = None
        if int(options.get("verbosity", 1)) >= 2:

            def progress(msg: str) -> None:
                print(msg, file=sys.stderr, flush=True)

        started = time.perf_counter()
        try:
            counts = gen.generate_exchange_set(
                path,
                dossiers=dossiers,
                seed=seed,
                until=until_d,
                units=units,
                procedures=procedures,
                progress=progress,
            )
        except OSError as exc:
            raise UserError(
                f"Không ghi được vào {path}: {exc.strerror or exc}.",
                f"cannot write to {path}: {exc}",
            ) from None
        seconds = time.perf_counter() - started
        self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()) + f" — {seconds:.1f} s")
