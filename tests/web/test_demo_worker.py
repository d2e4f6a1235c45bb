"""Issue #10 item 9: in the demo, staff actions never wait for the 766 recomputation.

The demo's web process queues huey tasks (no longer immediate) and a supervised child process runs them.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from huey.contrib.djhuey import HUEY

from motcua.web.management.commands.demo import Command
from motcua.web.worker import worker_command

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def restore_immediate():
    before = HUEY.immediate
    yield
    HUEY.immediate = before


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_demo_queues_tasks_and_supervises_a_worker_process(restore_immediate):
    assert HUEY.immediate  # the test settings, like the demo before: tasks ran inside the request
    supervisor = Command()._start_worker(command=SLEEPER)
    try:
        assert not HUEY.immediate  # from now on the web process only queues
        first = supervisor.process
        assert supervisor.alive
        first.kill()  # the worker dies: the demo starts it again
        assert wait_for(lambda: supervisor.restarts == 1 and supervisor.alive and supervisor.process is not first)
    finally:
        supervisor.stop()
    assert not supervisor.alive


def test_a_queued_recompute_does_not_run_in_the_calling_process(restore_immediate):
    from huey.storage import MemoryStorage

    from motcua.index766.tasks import recompute_after_event

    HUEY.immediate = False
    storage, HUEY.storage = HUEY.storage, MemoryStorage("test")  # the queue, whatever the database
    try:
        result = recompute_after_event([10**9], [10**9])
        assert result is not None and HUEY.pending_count() == 1  # queued for the worker, not run here
    finally:
        HUEY.storage = storage


def test_the_demo_worker_is_motcuas_worker_in_queue_mode():
    command = worker_command()
    assert command[1:4] == ["-m", "motcua", "worker"] and "--no-periodic" in command


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's prctl")
def test_the_worker_stops_when_the_demo_is_killed(tmp_path):
    """A demo stopped by a signal (not Ctrl-C, which runs atexit) leaves no worker process behind."""
    demo = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from motcua.web.worker import WorkerSupervisor\n"
            "s = WorkerSupervisor([sys.executable, '-c', 'import time; time.sleep(120)']).start()\n"
            "print(s.process.pid, flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    worker_pid = int(demo.stdout.readline())
    os.kill(worker_pid, 0)  # the worker runs
    demo.kill()  # SIGKILL: no atexit, no signal handler
    demo.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            break
        if _reaped_or_zombie(worker_pid):
            break
        time.sleep(0.1)
    else:
        os.kill(worker_pid, signal.SIGKILL)
        pytest.fail("the worker outlived the demo process")


def _reaped_or_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True
