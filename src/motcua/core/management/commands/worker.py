from django.core.management import call_command

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Chạy tiến trình nền (đồng bộ Cổng DVCQG, tính lại chỉ số). / "
        "Run the background worker (national-portal sync outbox, index recomputation)."
    )

    def add_arguments(self, parser):
        # One thread is the portal relay (it runs continuously), the others recompute the 766 index.
        parser.add_argument("--workers", type=int, default=3)

    def handle(self, workers, **options):
        call_command("run_huey", workers=workers)
