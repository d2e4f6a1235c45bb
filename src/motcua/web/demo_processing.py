"""The demo's imported dossiers processed step by step by named officials (issue #10 item 16).

An exchange set carries each dossier's status log, not its internal steps nor who worked on them, so the
scoreboard could not say which step and which official made a demo dossier late
(:mod:`motcua.index766.responsibility` reads the lifecycle's step events). For the demo only:

* every unit that handles dossiers gets a leader and two or three specialists with Vietnamese full names
  (the demo logins count among them);
* every imported dossier that entered processing gets the steps of its procedure's workflow
  (:mod:`motcua.web.demo_catalogue`): its imported status events of processing become the lifecycle's own
  (``start_processing``, ``finish``, ``stop``, ``request_withdrawal``, carrying the step, its deadline and the
  official), ``hand_off`` events join them, and a dossier still in processing is at its current step with its
  assignee. A late dossier's overrun lies in one step (the appraisal most often), so its official answers for
  it; an on-time dossier's steps share its processing time in proportion to their allotted time.

The status history and every instant stay as imported (the 766 indicators do not change); the steps are
derived from the dossier's id, so the same data gives the same steps. A real province imports its history as
it is: nothing here runs outside ``motcua demo``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import WorkflowStep
from motcua.core.bulk import TableWriter, update_by_pk
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.services import step_outcome
from motcua.interchange import names as N
from motcua.org.models import Official, Role, Unit, UnitKind
from motcua.workdays.services import get_calendar

#: Specialists per unit; each unit has one leader.
SPECIALISTS: dict[str, int] = {UnitKind.DEPARTMENT: 3}
DEFAULT_SPECIALISTS = 2
TITLES: dict[tuple[str, str], str] = {  # (unit kind, role) -> chức danh
    (UnitKind.DEPARTMENT, Role.LEADER): "Phó Giám đốc",
    (UnitKind.DEPARTMENT, Role.SPECIALIST): "Chuyên viên",
    (UnitKind.COMMUNE, Role.LEADER): "Phó Chủ tịch Ủy ban nhân dân",
    (UnitKind.COMMUNE, Role.SPECIALIST): "Công chức",
}
#: The imported status event that closes the processing steps, by the status it moved to.
ENDINGS = {Status.DONE: "finish", Status.STOPPED: "stop", Status.WITHDRAWAL_REQUESTED: "request_withdrawal"}
#: Which step a late dossier lost its time in: the appraisal 60 %, the review 25 %, the signature 15 %.
LATE_STEP_CUMULATIVE = (0.6, 0.85)
SOURCE = "demo"


# --------------------------------------------------------------------------- officials


@dataclass
class Staff:
    leader: int
    specialists: list[int]


def _person_name(username: str) -> str:
    """A Vietnamese full name (family, middle, given), the same for the same username."""
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big"))
    weights = np.array(N.FAMILY_WEIGHTS, dtype=float)
    family = N.FAMILY_NAMES[int(rng.choice(len(weights), p=weights / weights.sum()))]
    male = rng.random() < 0.5
    middle = (N.MIDDLE_MALE if male else N.MIDDLE_FEMALE)[int(rng.integers(0, 10))]
    given = (N.GIVEN_MALE if male else N.GIVEN_FEMALE)[int(rng.integers(0, 30))]
    return f"{family} {middle} {given}"


def _wanted(unit: Unit, have: dict[str, list[int]]) -> list[tuple[str, str]]:
    """(role, username) of the officials ``unit`` still lacks."""
    out: list[tuple[str, str]] = []
    for role, count, tag in (
        (Role.LEADER, 1, "ld"),
        (Role.SPECIALIST, SPECIALISTS.get(unit.kind, DEFAULT_SPECIALISTS), "cv"),
    ):
        out += [(role, f"cb.{unit.code.lower()}.{tag}{k + 1}") for k in range(len(have.get(role, [])), count)]
    return out


@transaction.atomic
def create_demo_staff() -> dict[int, Staff]:
    """A leader and specialists at every unit that handles dossiers, by Vietnamese full names; the officials
    already there (the demo logins) count. Returns each unit's staff by unit id. Idempotent."""
    unit_ids = set(Dossier.objects.order_by().values_list("handling_unit_id", flat=True).distinct())
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("code"))
    have: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    positions = Official.objects.filter(unit_id__in=unit_ids, is_active=True, role__in=[Role.LEADER, Role.SPECIALIST])
    for unit_id, role, user_id in positions.order_by("user__username").values_list("unit_id", "role", "user_id"):
        have[unit_id][role].append(user_id)
    plan = [(unit, role, username) for unit in units for role, username in _wanted(unit, have[unit.pk])]
    users = get_user_model().objects
    existing = set(users.filter(username__in=[p[2] for p in plan]).values_list("username", flat=True))
    password = make_password(None)  # they do not sign in: only the demo logins do
    users.bulk_create(
        [
            get_user_model()(username=username, first_name=_person_name(username), password=password)
            for _unit, _role, username in plan
            if username not in existing
        ]
    )
    ids = dict(users.filter(username__in=[p[2] for p in plan]).values_list("username", "pk"))
    Official.objects.bulk_create(
        [
            Official(user_id=ids[username], unit=unit, role=role, title=TITLES.get((unit.kind, role), ""))
            for unit, role, username in plan
        ],
        ignore_conflicts=True,
    )
    for unit, role, username in plan:
        have[unit.pk][role].append(ids[username])
    return {
        unit.pk: Staff(have[unit.pk][Role.LEADER][0], have[unit.pk][Role.SPECIALIST])
        for unit in units
        if have[unit.pk][Role.LEADER] and have[unit.pk][Role.SPECIALIST]
    }


# --------------------------------------------------------------------------- the dossiers' history


@dataclass
class _History:
    """A dossier's imported status events that matter to its steps."""

    start: tuple[int, datetime, dict] | None = None  # the move from 2 to 4 (id, instant, data)
    end: tuple[int, datetime, int, dict] | None = None  # the first move to 7, 8 or 9 after it
    windows: list[list[Any]] = field(default_factory=list)  # [from, until or None]: waiting on the applicant


def _histories() -> dict[int, _History]:
    """The imported status events of every dossier not given its steps yet, read once, in order."""
    out: dict[int, _History] = {}
    rows = (
        DossierEvent.objects.filter(kind=DossierEvent.Kind.STATUS, action="import")
        .order_by("dossier_id", "occurred_at", "id")
        .values_list("id", "dossier_id", "from_status", "to_status", "occurred_at", "data")
    )
    for event_id, dossier_id, before, status, at, data in rows.iterator(chunk_size=20_000):
        h = out.setdefault(dossier_id, _History())
        if h.start is None:
            # Received → processing: once given its steps, this event is start_processing and the dossier not read.
            if before == Status.RECEIVED and status == Status.PROCESSING:
                h.start = (event_id, at, data if isinstance(data, dict) else {})
        elif h.end is None:
            _follow(h, event_id, status, at, data)
    return {k: h for k, h in out.items() if h.start is not None}


def _follow(h: _History, event_id: int, status: int | None, at: datetime, data) -> None:
    if status in ENDINGS:
        h.end = (event_id, at, status, data if isinstance(data, dict) else {})
        if h.windows and h.windows[-1][1] is None:
            h.windows[-1][1] = at
    elif status in (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION):
        h.windows.append([at, None])
    elif status == Status.PROCESSING and h.windows and h.windows[-1][1] is None:
        h.windows[-1][1] = at


# --------------------------------------------------------------------------- the steps


def _epoch(values) -> np.ndarray:
    return np.array([v.timestamp() for v in values], dtype=np.float64)


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(float(seconds)), tz=UTC)


def _fraction(ids: np.ndarray, constant: float) -> np.ndarray:
    """A number in [0, 1) fixed by the dossier's id (a low-discrepancy sequence)."""
    return (ids * constant) % 1.0


@dataclass
class _Plan:
    """Per dossier (arrays): the hand-offs done and the working hours from the start to each one."""

    done: np.ndarray  # 0, 1 or 2 hand-offs
    at_hours: np.ndarray  # (n, 2) working hours from the start to hand-off 1 and 2


def _plan(ids: np.ndarray, hours: np.ndarray, worked: np.ndarray, late: np.ndarray, finished: np.ndarray) -> _Plan:
    """How the worked time splits into the three steps.

    Finished on time: in proportion to the allotted hours. Late: one step (the culprit) overran; the others take
    45–95 % of their allotted time, within 80 % of the time worked, and a finished dossier's culprit the rest.
    Not finished: the steps follow one another (at 45–95 % of their time) until the time worked runs out, or,
    late, until the culprit step, still open (or closed by the stop or the withdrawal).
    """
    n = len(ids)
    rows = np.arange(n)
    ratio = 0.45 + 0.5 * np.stack([_fraction(ids, c) for c in (0.7548776662, 0.5698402910, 0.4301597090)], axis=1)
    u = _fraction(ids, 0.6180339887)
    culprit = np.where(u < LATE_STEP_CUMULATIVE[0], 0, np.where(u < LATE_STEP_CUMULATIVE[1], 1, 2))
    x = hours * ratio
    step = np.arange(3)[None, :]
    others = np.where(finished[:, None], step != culprit[:, None], step < culprit[:, None])
    used = (x * others).sum(axis=1)
    x *= np.where(late, np.minimum(1.0, 0.8 * worked / np.maximum(used, 1e-9)), 1.0)[:, None]
    x[rows, culprit] = np.where(late & finished, worked - (x * others).sum(axis=1), x[rows, culprit])
    x = np.where((finished & ~late)[:, None], worked[:, None] * hours / hours.sum(axis=1)[:, None], x)
    cum = np.cumsum(x, axis=1)
    reached = (cum[:, :2] < worked[:, None]).sum(axis=1)
    return _Plan(done=np.where(finished, 2, np.where(late, culprit, reached)), at_hours=cum[:, :2])


def _shift_out_of_windows(boundary: float, windows: list, previous: float, end: float) -> float:
    """A hand-off never happens while the dossier waits on the applicant: after the wait, or before it."""
    for start, stop in windows:
        if start <= boundary < stop:
            boundary = stop + 60 if stop + 60 < end else start - 60
    return min(max(boundary, previous + 1), end - 1)


@transaction.atomic
def record_demo_steps(now: datetime | None = None) -> int:
    """Give the imported dossiers their processing steps and officials (see the module); returns how many.
    Idempotent: a dossier already given its steps is left alone."""
    now = now or timezone.now()
    staff = create_demo_staff()
    steps: dict[int, list[WorkflowStep]] = defaultdict(list)
    generic = WorkflowStep.objects.filter(workflow__is_active=True, workflow__unit__isnull=True)
    for step in generic.select_related("workflow").order_by("workflow__procedure_id", "workflow_id", "order"):
        steps[step.workflow.procedure_id].append(step)
    histories = _histories()
    rows = [
        r
        for r in Dossier.objects.filter(pk__in=list(histories))
        .order_by("pk")
        .values_list("pk", "handling_unit_id", "procedure_id", "due_at", "status")
        if r[1] in staff and len(steps.get(r[2], ())) == 3  # the demo catalogue's three steps
    ]
    if not rows:
        return 0
    return _write(rows, histories, steps, staff, now)


def _write(rows, histories, steps, staff, now) -> int:
    cal = get_calendar()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    start = _epoch([histories[r[0]].start[1] for r in rows])
    ends = [histories[r[0]].end for r in rows]
    finished = np.array([e is not None and e[2] == Status.DONE for e in ends])
    end = _epoch([e[1] if e is not None else now for e in ends])
    due = np.array([r[3].timestamp() if r[3] else np.inf for r in rows])
    hours = np.array([[float(s.allotted_hours) for s in steps[r[2]]] for r in rows])
    worked = np.maximum(cal.working_hours_between_batch(start, end), 0.0)
    plan = _plan(ids, hours, worked, end > due, finished)
    handoffs = np.stack([cal.add_batch(start, plan.at_hours[:, j], "gio_lam_viec") for j in range(2)], axis=1)
    # Each step's start: the start of processing, then the hand-offs, never while waiting on the applicant.
    begins = []
    for i, row in enumerate(rows):
        at = [start[i]]
        for j in range(int(plan.done[i])):
            at.append(_shift_out_of_windows(handoffs[i, j], _windows(histories[row[0]]), at[-1], end[i]))
        begins.append(at)
    flat = np.array([t for at in begins for t in at])
    flat_hours = np.array([hours[i, j] for i, at in enumerate(begins) for j in range(len(at))])
    due_iter = iter(_instant(t) for t in cal.add_batch(flat, flat_hours, "gio_lam_viec"))
    events, starts, endings, open_rows = [], [], [], []
    for (dossier_id, unit_id, procedure_id, _due, status), at in zip(rows, begins, strict=True):
        h, crew, flow = histories[dossier_id], staff[unit_id], steps[procedure_id]
        dues = [next(due_iter) for _ in at]
        specialist = crew.specialists[int(dossier_id) % len(crew.specialists)]
        officials = [specialist, specialist, crew.leader]
        events += [_hand_off(dossier_id, flow, officials, j, _instant(at[j]), dues) for j in range(1, len(at))]
        current = len(at) - 1
        event_id, _at, data = h.start
        starts.append((event_id, flow[0].name, officials[0], dues[0], data))
        if h.end is not None:
            endings.append((h.end[0], ENDINGS[h.end[2]], officials[current]))
        elif status in (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION):
            open_rows.append((dossier_id, flow[current].pk, officials[current], dues[current]))
    _save(starts, endings, events, open_rows)
    return len(rows)


def _windows(h: _History) -> list[tuple[float, float]]:
    return [(a.timestamp(), (b.timestamp() if b is not None else np.inf)) for a, b in h.windows]


def _hand_off(dossier_id, flow, officials, j, at: datetime, dues) -> DossierEvent:
    """The hand-off from step ``j - 1`` to step ``j``, by the official who held the dossier."""
    return DossierEvent(
        dossier_id=dossier_id,
        recorded_at=timezone.now(),
        kind=DossierEvent.Kind.STEP,
        action="hand_off",
        from_status=Status.PROCESSING,
        occurred_at=at,
        actor_id=officials[j - 1],
        actor_label=SOURCE,
        reason=TRANSITIONS["hand_off"].label,
        step_due_at=dues[j],
        data={
            "from_step": flow[j - 1].name,
            "to_step": flow[j].name,
            "previous_step_outcome": step_outcome(at, dues[j - 1]),
            "assignee_id": officials[j],
        },
    )


def _save(starts, endings, events, open_rows) -> None:
    update_by_pk(
        DossierEvent,
        ["action", "reason", "step_due_at", "data"],
        [
            (
                event_id,
                "start_processing",
                TRANSITIONS["start_processing"].label,
                step_due,
                {**data, "step": step_name, "assignee_id": official},
            )
            for event_id, step_name, official, step_due, data in starts
        ],
    )
    update_by_pk(
        DossierEvent,
        ["action", "actor", "reason"],
        [(event_id, action, official, TRANSITIONS[action].label) for event_id, action, official in endings],
    )
    TableWriter().write_instances(DossierEvent, events)  # no signals: nothing to send to the portal
    update_by_pk(Dossier, ["current_step", "current_assignee", "step_due_at"], open_rows)
