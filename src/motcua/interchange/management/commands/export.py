from pathlib import Path

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.interchange.exporter import export_exchange_set
from motcua.interchange.schema import IMPORT_ORDER


class Command(MotcuaCommand):
    help = (
        "Xuất cơ sở dữ liệu thành bộ dữ liệu trao đổi (JSON Lines, CSV hoặc XLSX). / "
        "Export the database as an exchange set (JSON Lines, CSV or XLSX)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Thư mục hoặc tệp .xlsx đích / output folder or .xlsx file")
        parser.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default="jsonl")
        parser.add_argument(
            "--files",
            nargs="*",
            choices=IMPORT_ORDER,
            default=list(IMPORT_ORDER),
            help="Chỉ xuất các tệp này / only these files",
        )
        parser.add_argument(
            "--force", action="store_true", help="Ghi đè thư mục không rỗng / overwrite a non-empty folder"
        )

    def handle(self, output, format, files, force, **options):
        path = Path(output)
        if path.is_dir() and any(path.iterdir()) and not force:
            raise UserError(f"Thư mục {path} không rỗng; dùng --force để ghi đè.", f"{path} is not empty; use --force")
        counts = export_exchange_set(path, format=format, files=files)
        self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
