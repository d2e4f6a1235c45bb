"""Recomputations the API asks the worker for, and their state for the poll endpoint.

A request never rebuilds the 766 facts (seconds to minutes at province size): ``fresh=1``, or a
period nothing is stored for, enqueues :func:`motcua.index766.tasks.refresh_and_store` and the API
answers 202 with the task's status URL. The shared cache keeps what the poll shows; a period
already being recomputed, or recomputed less than :data:`REUSE_SECONDS` ago, is not enqueued again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TypeGuard

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger("motcua.api")

#: How long the poll endpoint knows a task.
KEEP_SECONDS = 24 * 3600
#: A recomputation this recent is served again instead of enqueuing another.
REUSE_SECONDS = 60

QUEUED, DONE, FAILED = "queued", "done", "failed"


@dataclass
class Job:
    task: str
    period: str
    state: str
    requested_at: str
    finished_at: str | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _key(task_id: str) -> str:
    return f"api:766:job:{task_id}"


def _period_key(period: str) -> str:
    return f"api:766:job-for:{period}"


def _save(job: Job) -> Job:
    cache.set(_key(job.task), job.as_dict(), KEEP_SECONDS)
    return job


def _reusable(job: Job | None) -> TypeGuard[Job]:
    if job is None or job.state == FAILED:
        return False
    if job.state == QUEUED:
        return True
    finished = datetime.fromisoformat(job.finished_at) if job.finished_at else None
    return finished is not None and (timezone.now() - finished).total_seconds() < REUSE_SECONDS


def request_refresh(period: str, user) -> Job:
    """The task recomputing ``period`` (the facts, then its stored tuples): the current one or a new one."""
    from huey.contrib.djhuey import HUEY

    from motcua.index766.tasks import refresh_and_store

    current = job(cache.get(_period_key(period)) or "")
    if _reusable(current):
        return current
    task = refresh_and_store.s(period)
    new = _save(Job(task.id, period, QUEUED, timezone.now().isoformat()))
    cache.set(_period_key(period), task.id, KEEP_SECONDS)
    logger.info("user %s asked for a 766 recomputation of %s: task %s", getattr(user, "pk", None), period, task.id)
    HUEY.enqueue(task)  # runs inline when huey is immediate (tests, demo)
    return job(task.id) or new


def job(task_id: str) -> Job | None:
    """What is known of ``task_id``, its result collected from huey once it has one; None if unknown."""
    from huey.contrib.djhuey import HUEY
    from huey.exceptions import TaskException

    stored = cache.get(_key(task_id)) if task_id else None
    if stored is None:
        return None
    current = Job(**stored)
    if current.state != QUEUED:
        return current
    try:
        result = HUEY.result(task_id)  # read once: the cache keeps it from now on
    except TaskException as exc:
        logger.warning("766 recomputation task %s failed: %s", task_id, exc.metadata.get("error"))
        current.state, current.finished_at = FAILED, timezone.now().isoformat()
        current.detail = "Tính lại không thành công; chi tiết ở nhật ký máy chủ. Có thể yêu cầu lại."
        return _save(current)
    if result is None:
        return current
    current.state, current.finished_at = DONE, result.get("finished_at") or timezone.now().isoformat()
    current.detail = f"Đã tính lại dữ liệu và lưu {result.get('stored', 0)} kết quả chỉ số của kỳ {current.period}."
    return _save(current)
