from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.interchange.importer import import_exchange_set
from motcua.interchange.models import ImportRun


class Command(MotcuaCommand):
    help = (
        "Kiểm tra và nhập một bộ dữ liệu trao đổi (thư mục, .zip hoặc .xlsx) vào cơ sở dữ liệu; "
        "có lỗi thì không nhập gì (trừ khi dùng --skip-invalid). / "
        "Validate and import an exchange set (folder, .zip or .xlsx); a set with errors imports nothing "
        "unless --skip-invalid is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Thư mục, tệp .zip hoặc .xlsx / folder, .zip or .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi / validate only, write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Bỏ qua dòng lỗi và nhập phần còn lại / skip invalid lines and import the rest",
        )

    def handle(self, path, dry_run, skip_invalid, **options):
        report = import_exchange_set(path, dry_run=dry_run, skip_invalid=skip_invalid)
        for error in report.errors:
            self.stderr.write(str(error))
        for name, counts in report.counts.items():
            self.stdout.write(
                f"{name}: mới {counts.created}, cập nhật {counts.updated}, không đổi {counts.unchanged}, "
                f"bỏ qua {counts.skipped}"
            )
        if report.outcome == ImportRun.Outcome.REJECTED:
            raise UserError(
                f"Bộ dữ liệu có {len(report.errors)} lỗi; không có dữ liệu nào được nhập (lần nhập #{report.run_id}).",
                f"exchange set has {len(report.errors)} errors; nothing imported (run {report.run_id})",
            )
        verb = "Chạy thử xong, không ghi gì" if dry_run else "Đã nhập"
        self.stdout.write(f"{verb} (lần nhập #{report.run_id}).")
