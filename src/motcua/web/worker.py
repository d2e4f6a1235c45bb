"""The demo's background worker: a ``motcua worker`` child process the demo starts, watches and restarts.

Before issue #10 the demo ran huey in immediate mode, so the live 766 recomputation ran inside the staff
member's request (1–4 s for a receipt, 20–30 s under load). Now the demo's web process only queues the
task (huey's SQLite file beside the database, or PostgreSQL's queue tables) and this child process runs it;
a staff action answers without waiting for the scores (bench/workspace_actions.py).

A child process rather than a thread: the recomputation is CPU-bound Python (Ibis, DuckDB), and in a thread
it would hold the web process's GIL while requests wait.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
import threading
import time

logger = logging.getLogger("motcua.web")

#: Worker threads of the demo's child: enough for the live recompute and the notifications at once.
DEMO_WORKER_THREADS = 2
#: Seconds before a worker that exited is started again (a crash loop must not spin the CPU).
RESTART_DELAY = 2.0


def worker_command() -> list[str]:
    """``motcua worker`` without the periodic tasks: the demo stores its snapshots itself, and a full
    recompute every few minutes would compete with the demo's requests on a laptop."""
    return [sys.executable, "-m", "motcua", "worker", "--workers", str(DEMO_WORKER_THREADS), "--no-periodic"]


def queue_tasks() -> None:
    """From now on this process queues huey tasks instead of running them inline."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False


#: Niceness added to the worker process (POSIX), so that the web process's requests get the CPU first.
WORKER_NICENESS = 10


#: prctl option: the signal the kernel sends this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _prepare_child() -> None:
    """Runs in the worker before it starts: a lower CPU priority (POSIX) and, on Linux, SIGTERM when the demo
    process dies. ``atexit`` stops the worker on Ctrl-C, but not when the demo is killed by a signal, which
    would leave an orphan worker holding the queue."""
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class WorkerSupervisor:
    """Starts ``command`` as a child process and starts it again when it exits, until :meth:`stop`."""

    def __init__(self, command: list[str] | None = None, *, on_restart=None):
        self.command = command or worker_command()  # the child inherits this process's environment
        self.on_restart = on_restart
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="motcua-demo-worker")

    def start(self) -> WorkerSupervisor:
        self.process = self._spawn()
        self._thread.start()
        atexit.register(self.stop)
        return self

    def _spawn(self) -> subprocess.Popen:
        # A lower CPU priority: on a small machine the recomputation yields the processor to staff requests.
        return subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, preexec_fn=_prepare_child if os.name == "posix" else None
        )

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self.process
            if process is None:  # start() spawns the child before it starts this thread
                raise RuntimeError("demo worker watcher running without a worker process")
            code = process.wait()
            if self._stopping.is_set():
                return
            logger.warning("demo worker exited with code %s; starting it again", code)
            if self._stopping.wait(RESTART_DELAY):
                return
            self.process = self._spawn()
            self.restarts += 1
            if self.on_restart:
                self.on_restart(code)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            self._thread.join(0.1)


def start_demo_worker(command: list[str] | None = None, on_restart=None) -> WorkerSupervisor:
    """Queue tasks in this process and run them in a supervised child process."""
    queue_tasks()
    return WorkerSupervisor(command, on_restart=on_restart).start()
