from datetime import date

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError


class Command(MotcuaCommand):
    help = (
        "Gửi cho cán bộ thư tổng hợp hồ sơ, PAKN đến hạn vào ngày làm việc tiếp theo (mỗi người một thư mỗi ngày). / "
        "E-mail each official what turns late on the next working day (once per official and day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="ngày chạy / the day it runs for, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không gửi / list, send nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        from motcua.notifications.digest import queue_digests

        today = _parse(date) if date else None
        # By hand: send now, also on a day off (the worker's daily run skips those).
        report = queue_digests(today, enqueue=False, dry_run=dry_run, only_working_days=False)
        assert report is not None  # only a day off skipped by only_working_days gives none
        self.stdout.write(f"Ngày làm việc tiếp theo / next working day: {report.day:%d/%m/%Y}")
        for digest in report.digests:
            user = digest.user
            self.stdout.write(
                f"  {user.get_full_name() or user.get_username()} <{user.email}>: "
                f"{digest.dossier_count} hồ sơ, {digest.complaint_count} PAKN"
            )
        if dry_run:
            self.stdout.write(f"{len(report.digests)} thư (chưa gửi: --dry-run) / messages (not sent)")
            return
        states = [_deliver(pk) for pk in report.queued]
        sent = states.count("sent")
        self.stdout.write(
            f"Đã gửi {sent} thư; {len(report.digests) - sent} thư đã gửi trước đó hoặc lỗi / "
            f"{sent} sent, the others sent earlier or failed"
        )


def _deliver(pk: int) -> str:
    from motcua.notifications.delivery import DeliveryFailed, deliver

    try:
        return deliver(pk)
    except DeliveryFailed:  # recorded on the notification; the worker's resend picks it up
        return "failed"


def _parse(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"Ngày không hợp lệ: {text!r} (định dạng YYYY-MM-DD).", f"bad --date {text!r}") from None
