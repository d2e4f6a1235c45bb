import os
import sys

from django.conf import settings
from django.core.management import call_command

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = "Chạy ứng dụng web bằng gunicorn (production). / Serve the web app with gunicorn (production)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--bind", default="127.0.0.1", help="Địa chỉ lắng nghe / bind address")
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)

    def handle(self, port, bind, workers, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "motcua.wsgi:application",
                "--bind",
                f"{bind}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
            ],
        )
