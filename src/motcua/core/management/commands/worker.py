from django.core.management import call_command

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Chạy tiến trình nền (đồng bộ Cổng DVCQG, tính lại chỉ số). / "
        "Run the background worker (national-portal sync outbox, index recomputation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, workers, **options):
        call_command("run_huey", workers=workers)
