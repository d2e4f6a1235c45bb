"""``motcua fake-portal [--port N] [--fail-rate R] [--session-ttl S] …`` (portal-sync.md §1.6)."""

from __future__ import annotations

import math
import signal
import threading

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.nationalportal.fake import serve_forever


def _stop(signum, frame):
    # SIGTERM (a test or a supervisor stopping the fake) ends it as Ctrl-C does: cleanly.
    raise KeyboardInterrupt


class Command(MotcuaCommand):
    help = (
        "Chạy bộ chuyển tiếp LGSP giả lập tới Cổng Dịch vụ công quốc gia (cho bản trình diễn và "
        "kiểm thử), có thể gây lỗi theo yêu cầu. / Run a fake LGSP adapter to the National Public "
        "Service Portal (for the demo and tests), with faults on demand."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # The module cannot have a dash; people type the spec's spelling (motcua.cli.ALIASES).
        return super().create_parser(prog_name, "fake-portal", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ lắng nghe / listen address")
        parser.add_argument(
            "--port", type=int, default=8765, help="Cổng (0: cổng trống bất kỳ) / port, 0 for any free one (8765)"
        )
        parser.add_argument(
            "--fail-rate",
            type=float,
            default=0.0,
            metavar="R",
            help="Tỉ lệ lời gọi dịch vụ trả lỗi 99, từ 0 đến 1 / share of service calls answered 99, 0..1 (0)",
        )
        parser.add_argument("--seed", type=int, default=0, help="Hạt giống cho --fail-rate / seed of --fail-rate (0)")
        parser.add_argument(
            "--latency",
            type=float,
            default=0.0,
            metavar="S",
            help="Độ trễ mỗi lời gọi, giây / delay of every call, seconds (0)",
        )
        parser.add_argument(
            "--session-ttl",
            type=float,
            default=None,
            metavar="S",
            help="Thời hạn phiên, giây (mặc định: không hết hạn) / session lifetime, seconds (default: never expires)",
        )
        parser.add_argument(
            "--state-file",
            metavar="PATH",
            help="Tệp lưu hồ sơ đã nhận để giữ qua lần khởi động lại / file keeping "
            "the received dossiers across restarts (default: memory only)",
        )
        parser.add_argument(
            "--madonvi", default="H44", help="Mã đơn vị của tỉnh trên Cổng / the province's unit code (H44)"
        )
        parser.add_argument(
            "--username", default="motcua", help="Tài khoản được chấp nhận / accepted username (motcua)"
        )
        parser.add_argument("--password", default="motcua", help="Mật khẩu được chấp nhận / accepted password (motcua)")

    def handle(
        self,
        *args,
        host,
        port,
        fail_rate,
        seed,
        latency,
        session_ttl,
        state_file,
        madonvi,
        username,
        password,
        **options,
    ):
        if not 0 <= port <= 65535:
            raise UserError(f"--port phải từ 0 đến 65535 (nhận {port}).", f"invalid --port {port}")
        if not (math.isfinite(fail_rate) and 0 <= fail_rate <= 1):
            raise UserError(
                f"--fail-rate phải là một số từ 0 đến 1 (nhận {fail_rate:g}).",
                f"invalid --fail-rate {fail_rate!r}: expected 0..1",
            )
        if not (math.isfinite(latency) and latency >= 0):
            raise UserError(f"--latency phải là số giây không âm (nhận {latency:g}).", f"invalid --latency {latency!r}")
        if session_ttl is not None and not (math.isfinite(session_ttl) and session_ttl >= 0):
            raise UserError(
                f"--session-ttl phải là số giây không âm (nhận {session_ttl:g}).",
                f"invalid --session-ttl {session_ttl!r}",
            )
        if not madonvi.strip():
            raise UserError("--madonvi không được để trống.", "empty --madonvi")

        def ready(url: str) -> None:
            self.stdout.write(
                f"Cổng DVCQG giả lập (LGSP) đang lắng nghe tại {url} — mã đơn vị {madonvi}, "
                f"tài khoản {username}; nhấn Ctrl-C để dừng."
            )
            self.stdout.flush()  # a test reads this line through a pipe

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
        try:
            serve_forever(
                host,
                port,
                ready,
                madonvi=madonvi,
                username=username,
                password=password,
                session_ttl=session_ttl,
                fail_rate=fail_rate,
                latency=latency,
                seed=seed,
                state_file=state_file,
            )
        except OSError as exc:
            raise UserError(
                f"Không mở được cổng giả lập tại {host}:{port} hoặc tệp trạng thái: {exc.strerror or exc}.",
                f"fake portal cannot start on {host}:{port}: {exc}",
            ) from None
        self.stdout.write("Đã dừng Cổng giả lập.")
