"""``motcua portal enqueue | relay | status`` (portal-sync.md §1.6)."""

from __future__ import annotations

import sys
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.dossiers.models import Dossier


def _instant(text: str) -> datetime:
    """ISO 8601; without an offset, Asia/Ho_Chi_Minh."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(
            f"Thời điểm không hợp lệ: {text!r} (cần dạng ISO 8601, ví dụ 2026-12-01T08:00).",
            f"invalid --since {text!r}",
        ) from exc
    return value if value.tzinfo else timezone.make_aware(value)


class Command(MotcuaCommand):
    help = (
        "Đồng bộ với Cổng Dịch vụ công quốc gia: enqueue (xếp hàng hồ sơ cần gửi), relay (gửi), status "
        "(tình trạng). / Sync with the national portal: enqueue, relay, status."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", metavar="{enqueue,relay,status}")
        commands.required = True
        enqueue = commands.add_parser(
            "enqueue",
            help="Xếp hàng toàn bộ trạng thái và lịch sử của hồ sơ (sau khi nhập dữ liệu, hoặc để "
            "đồng bộ lại). / Queue the full state and history of dossiers.",
        )
        which = enqueue.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="mọi hồ sơ / every dossier")
        which.add_argument(
            "--since", metavar="TS", help="hồ sơ thay đổi từ thời điểm này (ISO 8601) / dossiers changed since TS"
        )
        relay = commands.add_parser("relay", help="Gửi những gì đang chờ lên Cổng. / Deliver what is queued.")
        relay.add_argument(
            "--until-empty",
            action="store_true",
            help="dừng khi không còn gì gửi được; mã thoát 1 nếu còn thư bị từ chối / return when "
            "nothing deliverable is left; exit 1 if dead letters remain",
        )
        relay.add_argument("--max-seconds", type=float, metavar="N", help="dừng sau N giây / stop after N seconds")
        commands.add_parser(
            "status",
            help="Số đang chờ, đã gửi, bị từ chối, độ trễ. / Queue, delivered, dead "
            "letters, lag, last success and error.",
        )

    def handle(self, action, **options):
        getattr(self, f"_{action}")(**options)

    def _enqueue(self, all, since, **options):
        from motcua.nationalportal.outbox import enqueue_dossiers

        dossiers = Dossier.objects.all()
        if since:
            dossiers = dossiers.filter(updated_at__gte=_instant(since))
        counts = enqueue_dossiers(dossiers)
        self.stdout.write(f"Đã xếp hàng {counts['dossiers']} hồ sơ và {counts['progress']} mục tiến độ chưa gửi.")

    def _relay(self, until_empty, max_seconds, **options):
        from motcua.nationalportal.client import PortalClient
        from motcua.nationalportal.models import PortalDossier
        from motcua.nationalportal.relay import Relay

        if not settings.MOTCUA_PORTAL_URL:
            raise UserError("Chưa cấu hình MOTCUA_PORTAL_URL: không có Cổng để gửi.", "MOTCUA_PORTAL_URL is not set")
        if max_seconds is not None and max_seconds <= 0:
            raise UserError("--max-seconds phải lớn hơn 0.", "--max-seconds must be > 0")
        client = PortalClient.from_settings()
        try:
            totals = Relay(client).run(until_empty=until_empty, max_seconds=max_seconds)
        finally:
            client.close()
        self.stdout.write(f"Đã gửi {totals['delivered']} thông điệp; {totals['dead']} hồ sơ bị Cổng từ chối.")
        if until_empty and PortalDossier.objects.filter(blocked=True).exists():
            self.stderr.write("Còn hồ sơ bị Cổng từ chối (xem motcua portal status).")
            sys.exit(1)

    def _status(self, **options):
        from motcua.nationalportal.status import sync_status

        status = sync_status()

        def when(value):
            return timezone.localtime(value).strftime("%H:%M:%S %d/%m/%Y") if value else "—"

        lag = f"{status.lag.total_seconds():.0f} giây" if status.lag else "—"
        lines = [
            f"Cổng DVCQG: {settings.MOTCUA_PORTAL_URL or 'chưa cấu hình (chỉ xếp hàng, không gửi)'}",
            f"Đang chờ gửi: {status.queued}",
            f"Đã gửi, Cổng xác nhận: {status.delivered}",
            f"Bị Cổng từ chối: {status.dead_letters} thông điệp, {status.dead_dossiers} hồ sơ",
            f"Thay đổi chờ lâu nhất: {lag}",
            f"Gửi thành công lần cuối: {when(status.last_success_at)}",
            f"Lỗi lần cuối: {when(status.last_error_at)} {status.last_error}".rstrip(),
        ]
        self.stdout.write("\n".join(lines))
