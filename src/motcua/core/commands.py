"""Base class for motcua management commands: user errors become one line and exit code 2."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import UserError, logger


class MotcuaCommand(BaseCommand):
    """A command whose ``handle`` may raise :class:`UserError`.

    The Vietnamese message goes to stderr as ``Lỗi: …``, the English one to the
    log, and the process exits with 2; nothing else is printed.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except UserError as exc:
            logger.info("%s: %s", self.__class__.__module__.rsplit(".", 1)[-1], exc.log_message)
            self.stderr.write(f"Lỗi: {exc.message}")
            sys.exit(exc.exit_code)
        except CommandError:
            raise

    def run_from_argv(self, argv):
        # CommandError from argument parsing etc. also gets the one-line form.
        try:
            super().run_from_argv(argv)
        except KeyboardInterrupt:
            self.stderr.write("Đã dừng theo yêu cầu người dùng. / Interrupted.")
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
