"""Import run records that tell a live import from a killed one.

A killed import (kill -9, a crash, a lost machine) rolls its transaction back but
cannot record its end: its run stayed "running" forever. Each import now holds
proof of life for its run, and the next import to start marks every run without
one as interrupted.

* PostgreSQL: a session-level advisory lock ``(LOCK_SPACE, run id)``, taken in the
  transaction that creates the run (so no other session ever sees the run without
  it) and released by the server when the session ends, whichever machine it is on.
* SQLite (embedded, one machine): the run's host and process id.
"""

from __future__ import annotations

import logging
import os
import socket
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from .models import ImportRun

logger = logging.getLogger("motcua.interchange")

#: First key of the advisory locks that keep import runs alive (the second is the run's id).
LOCK_SPACE = 13013


def mark_interrupted() -> list[int]:
    """Mark the runs whose import is gone as interrupted; their ids."""
    interrupted = []
    for run in ImportRun.objects.filter(outcome=ImportRun.Outcome.RUNNING):
        if _alive(run):
            continue
        marked = ImportRun.objects.filter(pk=run.pk, outcome=ImportRun.Outcome.RUNNING).update(
            outcome=ImportRun.Outcome.INTERRUPTED, finished_at=timezone.now()
        )
        if marked:
            logger.warning(
                "import run %s (%s, started %s on %s, pid %s) was interrupted: its process is gone",
                run.pk,
                run.source,
                run.started_at.isoformat(),
                run.host or "?",
                run.pid,
            )
            interrupted.append(run.pk)
    return interrupted


@contextmanager
def running(**fields):
    """Create a run record and keep it alive while the block runs."""
    with transaction.atomic():
        run = ImportRun.objects.create(host=socket.gethostname(), pid=os.getpid(), **fields)
        if connection.vendor == "postgresql":
            _execute("SELECT pg_advisory_lock(%s, %s)", run.pk)
    try:
        yield run
    finally:
        if connection.vendor == "postgresql":
            _execute("SELECT pg_advisory_unlock(%s, %s)", run.pk)


def _alive(run: ImportRun) -> bool:
    if connection.vendor == "postgresql":
        # Taking the lock proves nobody holds it; give it straight back.
        if _execute("SELECT pg_try_advisory_lock(%s, %s)", run.pk):
            _execute("SELECT pg_advisory_unlock(%s, %s)", run.pk)
            return False
        return True
    return run.host == socket.gethostname() and run.pid is not None and _process_exists(run.pid)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _execute(sql: str, run_id: int):
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOCK_SPACE, run_id])
        return cursor.fetchone()[0]
