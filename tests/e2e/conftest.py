"""The background worker as the demo and production run it, inside a browser test.

``queued_worker`` turns huey's immediate mode off (tasks are queued, in memory: the queue's storage is
tested in tests/core/test_queue.py) and runs a consumer thread in the test process, which shares the live
server's database. Every live 766 recomputation after a dossier event first waits at a gate the test
opens, so a test can show that staff actions were answered while their recomputation had not run
(issue #10 item 9: actions never wait for the 766 recomputation).
"""

from __future__ import annotations

import threading
import time

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from motcua.index766 import live


class QueuedWorker:
    """A huey consumer thread, and the gate in front of the live recomputation of dossier events."""

    def __init__(self, recompute_units, consumer):
        self._recompute_units = recompute_units
        self.consumer = consumer
        self.stopped = False
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.held = 0  # recomputations that reached the gate
        self.done = 0  # recomputations that ran

    def recompute_units(self, unit_ids, *args, dossier_ids=(), **kwargs):
        if not dossier_ids:  # the worker's start-up warm-up, not an event
            return self._recompute_units(unit_ids, *args, dossier_ids=dossier_ids, **kwargs)
        with self.lock:
            self.held += 1
        if not self.gate.wait(timeout=120):
            raise TimeoutError("the test never opened the gate")
        try:
            return self._recompute_units(unit_ids, *args, dossier_ids=dossier_ids, **kwargs)
        finally:
            with self.lock:
                self.done += 1

    def drain(self, timeout: float = 60) -> None:
        """Open the gate, let the worker run every queued task, then stop it (the task it is running ends
        first), so nothing writes behind the rest of the test or its database teardown."""
        self.gate.set()
        deadline = time.monotonic() + timeout
        while HUEY.pending_count() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.stop()
        if HUEY.pending_count():
            raise TimeoutError(f"the worker did not finish: {HUEY.pending_count()} tasks still queued")

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.gate.set()
            self.consumer.stop(graceful=True)


@pytest.fixture
def queued_worker(monkeypatch):
    immediate, use_memory, storage = HUEY.immediate, HUEY.immediate_use_memory, HUEY.storage
    HUEY.immediate_use_memory = False  # leaving immediate mode must not open the configured queue
    HUEY.immediate = False
    HUEY.storage = MemoryStorage(HUEY.name)
    consumer = HUEY.create_consumer(
        workers=1, worker_type="thread", periodic=False, check_worker_health=False, max_delay=0.5
    )
    consumer._set_signal_handlers = lambda: None  # pytest keeps its own SIGINT/SIGTERM handlers
    worker = QueuedWorker(live.recompute_units, consumer)
    monkeypatch.setattr(live, "recompute_units", worker.recompute_units)
    consumer.start()
    try:
        yield worker
    finally:
        worker.stop()
        HUEY.immediate = immediate
        HUEY.storage, HUEY.immediate_use_memory = storage, use_memory
