import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
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
            raise UserError(
                "Không chạy bản trình diễn ở chế độ production.", "refusing to run the demo in production mode"
            )
        if dossiers < 0:
            raise UserError("--dossiers phải không âm.", "--dossiers must be >= 0")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not Dossier.objects.exists():
            started = time.monotonic()
            with tempfile.TemporaryDirectory(prefix="motcua-demo-") as folder:
                counts = generate_exchange_set(
                    Path(folder) / "set", dossiers=dossiers, seed=seed, until=timezone.localdate()
                )
                report = import_exchange_set(Path(folder) / "set")
            if not report.ok:
                raise UserError(
                    "Không nạp được dữ liệu mẫu: " + "; ".join(map(str, report.errors[:3])),
                    "demo data failed to import",
                )
            from motcua.web.demo_catalogue import declare_demo_catalogue, declare_demo_fees, declare_legal_fees

            declare_demo_catalogue()  # components and workflows the exchange set does not carry
            declare_demo_fees()  # the fees its dossiers were charged, so the counter charges them too
            declare_legal_fees()  # e.g. 200.000 đồng for a Phiếu lý lịch tư pháp
            from motcua.web.demo_processing import record_demo_steps

            create_demo_logins()  # first: the demo's specialist and leader work on their unit's dossiers too
            processed = record_demo_steps()  # steps and officials, so that the scoreboard names who was late
            self.stdout.write(
                f"Đã sinh và nạp tỉnh mẫu: {counts.get('units', 0)} đơn vị, {counts.get('procedures', 0)} TTHC, "
                f"{counts.get('dossiers', 0)} hồ sơ ({processed} hồ sơ có các bước xử lý và cán bộ xử lý) "
                f"trong {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write("Dùng lại cơ sở dữ liệu đã có.")
        self._store_snapshots(background=not no_serve)
        self._demo_certificate()
        logins = create_demo_logins()
        self.stdout.write(f"\nTài khoản trình diễn (mật khẩu: {DEMO_PASSWORD}):")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<14} {role:<36} {unit}")
        self.stdout.write(f"\nỨng dụng: http://127.0.0.1:{port}/   API: http://127.0.0.1:{port}/api/docs/\n")
        if not no_serve:
            self._start_worker()
            self._start_portal_link(port)
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _demo_certificate(self) -> None:
        """A demo CA and organisation certificate so that "Ký duyệt" signs for real out of the box."""
        from motcua.files.pki import make_demo_pki
        from motcua.files.signing import demo_pki

        if settings.MOTCUA_SIGNING_PKCS12 or settings.MOTCUA_SIGNING_PKCS11_MODULE:
            return
        pki = make_demo_pki(demo_pki().directory)
        self.stdout.write(f"Chứng thư số TRÌNH DIỄN (DEMO, không có giá trị pháp lý) để ký kết quả: {pki.pkcs12}")

    def _start_worker(self, command: list[str] | None = None):
        """Staff actions never wait for the 766 recomputation: the web process queues it, a supervised
        child process (``motcua worker``) runs it and is started again if it stops (web/worker.py)."""
        from motcua.web.worker import start_demo_worker

        supervisor = start_demo_worker(
            command, on_restart=lambda code: self.stderr.write(f"Tiến trình nền đã dừng (mã {code}); đã khởi động lại.")
        )
        process = supervisor.process
        if process is None:  # start() spawns the child before it returns
            raise RuntimeError("demo worker supervisor started without a worker process")
        self.stdout.write(f"Tiến trình nền (tính lại chỉ số 766, gửi thông báo): pid {process.pid}.")
        return supervisor

    def _start_portal_link(self, port: int) -> None:
        """The demo's national portal: the fake adapter, a relay delivering the outbox to it, and the
        "Giả lập Cổng DVCQG" page that sends the portal's calls to this app (all in this process)."""
        from motcua.nationalportal.client import PortalClient
        from motcua.nationalportal.fake import FakePortal
        from motcua.nationalportal.relay import Relay
        from motcua.org.models import Unit

        if not settings.MOTCUA_PORTAL_URL:
            province = Unit.objects.filter(parent__isnull=True).order_by("code").first()
            settings.MOTCUA_PORTAL_MADONVI = settings.MOTCUA_PORTAL_MADONVI or (province.code if province else "H44")
            settings.MOTCUA_PORTAL_USERNAME = settings.MOTCUA_PORTAL_USERNAME or "motcua"
            settings.MOTCUA_PORTAL_PASSWORD = settings.MOTCUA_PORTAL_PASSWORD or "motcua"
            fake = FakePortal(
                madonvi=settings.MOTCUA_PORTAL_MADONVI,
                username=settings.MOTCUA_PORTAL_USERNAME,
                password=settings.MOTCUA_PORTAL_PASSWORD,
                state_file=str(settings.DATA_DIR / "fake-portal.jsonl"),
            )
            try:
                settings.MOTCUA_PORTAL_URL = fake.start(port=port + 1)
            except OSError:
                settings.MOTCUA_PORTAL_URL = fake.start(port=0)
            self.stdout.write(
                f"Cổng DVCQG giả lập: {settings.MOTCUA_PORTAL_URL}  "
                f"(trang giả lập: http://127.0.0.1:{port}/gia-lap-cong/)"
            )
        settings.MOTCUA_PORTAL_INBOUND_SECRET = settings.MOTCUA_PORTAL_INBOUND_SECRET or "demo-" + "0" * 40
        settings.MOTCUA_DEMO_PORTAL = True

        def relay():
            from django.db import connections

            client = PortalClient.from_settings()
            try:
                Relay(client).run()
            except Exception as exc:  # noqa: BLE001 - the demo keeps serving; the page shows the queue
                self.stderr.write(f"Bộ chuyển tiếp đồng bộ dừng: {exc}")
            finally:
                client.close()
                connections.close_all()

        threading.Thread(target=relay, daemon=True, name="motcua-demo-relay").start()
        self.stdout.write(
            "Đồng bộ: mỗi thay đổi hồ sơ được gửi lên Cổng trong vài giây "
            "(dữ liệu mẫu đã nạp chưa gửi; chạy motcua portal enqueue --all để gửi cả lịch sử)."
        )

    def _store_snapshots(self, background: bool) -> None:
        """The 766 scoreboard reads stored snapshots: the current periods now, the earlier months of the year
        (its trend chart) now too with --no-serve, else in a background thread while the server starts."""
        from motcua.index766.tasks import current_periods
        from motcua.scoreboard.services import (
            compute_snapshots,
            periods_of_year,
            snapshot_periods_present,
        )

        today = timezone.localdate()
        current = current_periods(today)
        months = [p for p in periods_of_year(today.year, ("month",), today) if p not in current]
        present = snapshot_periods_present(current + months)
        now, later = [p for p in current if p not in present], [p for p in months if p not in present]
        if not Dossier.objects.exists() or not (now or later):
            return
        if not background:
            now, later = now + later, []
        if connection.in_atomic_block:  # e.g. inside a test transaction: Ibis would not see the data
            self.stdout.write("Chưa tính bảng điểm 766 (đang trong một giao dịch); chạy: motcua snapshots")
            return
        started = time.monotonic()
        if now:
            try:
                compute_snapshots(now)
            except RuntimeError as exc:  # an in-memory SQLite database: Ibis cannot open it
                self.stderr.write(f"Chưa tính được bảng điểm 766 ({exc}); chạy: motcua snapshots")
                return
            self.stdout.write(
                f"Đã tính bảng điểm 766 cho {len(now)} kỳ ({', '.join(now)}) trong {time.monotonic() - started:.1f} s."
            )
        if later:
            self.stdout.write(f"Đang tính tiếp {len(later)} tháng trước cho biểu đồ diễn biến (chạy nền).")
            threading.Thread(
                target=self._store_later, args=(later, not now), daemon=True, name="motcua-demo-snapshots"
            ).start()

    def _store_later(self, periods: list[str], refresh: bool) -> None:
        from django.db import connections

        from motcua.scoreboard.services import compute_snapshots

        started = time.monotonic()
        try:
            compute_snapshots(periods, refresh=refresh)
            self.stdout.write(
                f"Đã tính xong {len(periods)} tháng của biểu đồ diễn biến trong {time.monotonic() - started:.1f} s."
            )
        except Exception as exc:  # noqa: BLE001 - a background convenience must not stop the server
            self.stderr.write(f"Không tính được bảng điểm các tháng trước: {exc}")
        finally:
            connections.close_all()
