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
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Không chạy việc định kỳ / do not schedule the periodic tasks (the demo's worker)",
        )

    def handle(self, workers, no_periodic, **options):
        from huey.contrib.djhuey import HUEY

        # A worker reads the queue, whatever MOTCUA_HUEY_IMMEDIATE says (the demo runs with DEBUG, whose
        # default is immediate): in immediate mode huey's storage would be an empty in-memory one.
        HUEY.immediate = False
        extra = {"periodic": False} if no_periodic else {}
        call_command("run_huey", workers=workers, **extra)
