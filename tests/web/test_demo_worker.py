"""Issue #10 item 9: in the demo, staff actions never wait for the 766 recomputation.

The demo's web process queues huey tasks (no longer immediate) and a supervised child process runs them.
"""

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
