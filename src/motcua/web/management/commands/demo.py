import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.dossiers.models import Dossier
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.demo import DEMO_PASSWORD, create_demo_logins


class Command(MotcuaCommand):
    help = (
        "Chạy bản trình diễn: tạo cơ sở dữ liệu (SQLite nếu không có DATABASE_URL), sinh một tỉnh mẫu, "
        "in tài khoản đăng nhập và mở ứng dụng web. / Run the demo: create the database, load a generated "
        "province, print demo logins and serve the web app."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Cổng / port (8000)")
        parser.add_argument("--dossiers", type=int, default=50_000, help="Số hồ sơ mẫu / generated dossiers (50000)")
        parser.add_argument("--seed", type=int, default=766, help="Hạt giống sinh dữ liệu / generator seed")
        parser.add_argument("--no-serve", action="store_true", help="Chỉ chuẩn bị dữ liệu / prepare data only")

    def handle(self, port, dossiers, seed, no_serve, **options):
        if settings.PRODUCTION:
            raise UserError("Không chạy bản trình diễn ở chế độ production.", "refusing to run the demo in production mode")
        if dossiers < 0:
            raise UserError("--dossiers phải không âm.", "--dossiers must be >= 0")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not Dossier.objects.exists():
            started = time.monotonic()
            with tempfile.TemporaryDirectory(prefix="motcua-demo-") as folder:
                counts = generate_exchange_set(Path(folder) / "set", dossiers=dossiers, seed=seed,
                                               until=timezone.localdate())
                report = import_exchange_set(Path(folder) / "set")
            if not report.ok:
                raise UserError("Không nạp được dữ liệu mẫu: " + "; ".join(map(str, report.errors[:3])),
                                "demo data failed to import")
            self.stdout.write(
                f"Đã sinh và nạp tỉnh mẫu: {counts.get('units', 0)} đơn vị, {counts.get('procedures', 0)} TTHC, "
                f"{counts.get('dossiers', 0)} hồ sơ trong {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write("Dùng lại cơ sở dữ liệu đã có.")
        logins = create_demo_logins()
        self.stdout.write(f"\nTài khoản trình diễn (mật khẩu: {DEMO_PASSWORD}):")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<14} {role:<36} {unit}")
        self.stdout.write(f"\nỨng dụng: http://127.0.0.1:{port}/   API: http://127.0.0.1:{port}/api/docs/\n")
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
