"""Who and which processing step made a dossier late (trách nhiệm: bước xử lý, cán bộ quá hạn).

A processing step (bước xử lý, Phiếu kiểm soát quá trình giải quyết hồ sơ, R1.19) is read
from the dossier's append-only event log, the same way the control slip reads it
(documents.forms.handover_rows):

* it **starts** with ``start_processing`` or ``hand_off``: that event carries the step's
  name (``data["step"]`` / ``data["to_step"]``) and its own deadline (``step_due_at``);
* it **ends** with the next ``hand_off`` (whose ``previous_step_outcome`` records the
  R1.40 outcome), ``finish`` or ``refuse_after_appraisal``. A ``stop`` or a withdrawal also
  closes it, but by the applicant or a stop, so such a step is never listed as late;
* it is **late** when it ended after its deadline — exactly ``services.step_outcome`` ==
  "quá hạn" (``done_at > due_at``) — or is still open (the dossier's current step, status 4,
  not paused) with its deadline before the end of the window (or now).

The responsible official (cán bộ chịu trách nhiệm) of a step is the official assigned to it.
The event log does not record the assignee of a finished step (``services.hand_off`` only
updates ``Dossier.current_assignee``), so: ``data["assignee_id"]`` of the event that started
the step when present (a future lifecycle version may write it), else the actor of the event
that ended the step (the official who handed the dossier on, or finished it: the one who held
it), and for a step still open, the dossier's current assignee.

Consultations (lấy ý kiến, R1.15) are steps of the consulted unit: late when answered after
their own deadline, or unanswered past it while the dossier is still being processed.

Working hours late are counted on the installation's calendar (``workdays.services.get_calendar``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone

STEP_STARTS = ("start_processing", "hand_off")
STEP_ENDS = ("hand_off", "finish", "refuse_after_appraisal")
#: End a step without the official finishing it (applicant's withdrawal, stop notice).
STEP_INTERRUPTIONS = ("stop", "request_withdrawal")
BOUNDARIES = tuple(dict.fromkeys(STEP_STARTS + STEP_ENDS + STEP_INTERRUPTIONS))

CONSULTATION_STEP = "Lấy ý kiến phối hợp"


@dataclass(frozen=True)
class LateStep:
    dossier_id: int
    dossier_code: str
    unit_code: str
    step_name: str | None
    official_id: int | None
    official_name: str | None
    due_at: datetime
    done_at: datetime | None  # None: the step is still open
    hours_late: Decimal  # working hours past due_at (to done_at, or the window's end / now)


@dataclass(frozen=True)
class OfficialLateness:
    official_id: int | None
    official_name: str | None
    unit_code: str
    late_steps: int
    dossiers: int
    hours_late: Decimal


def _calendar():
    from motcua.workdays.services import get_calendar

    return get_calendar()


def _hours(cal: Any, a: datetime, b: datetime) -> Decimal:
    return Decimal(str(round(max(cal.working_hours_between(a, b), 0.0), 2)))


def person_name(first: str | None, last: str | None, username: str | None) -> str | None:
    full = f"{first or ''} {last or ''}".strip()
    return full or username or None


def _ordered(**kw: Any) -> Window:
    return Window(partition_by=[F("dossier_id")], order_by=[F("occurred_at").asc(), F("id").asc()], **kw)


def _finished_late(unit_ids: list[int] | None, start: datetime, end: datetime) -> list[dict]:
    """Steps ended in [start, end) after their deadline.

    One query pairs each ending event with the previous boundary event of its dossier (LAG);
    the late ones are then read by id. Not a filter on the ORM's window annotations: Django
    applies plain-column filters before the window, which would hide the starting events.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection

    from motcua.dossiers.models import DossierEvent

    ended = DossierEvent.objects.filter(action__in=STEP_ENDS, occurred_at__gte=start, occurred_at__lt=end).order_by()
    if unit_ids is not None:
        ended = ended.filter(dossier__handling_unit_id__in=unit_ids)
    boundary = (
        DossierEvent.objects.filter(
            action__in=BOUNDARIES, occurred_at__lt=end, dossier_id__in=Subquery(ended.values("dossier_id"))
        )
        .annotate(
            prev_id=_ordered(expression=Lag("id")),
            prev_action=_ordered(expression=Lag("action")),
            prev_due=_ordered(expression=Lag("step_due_at")),
        )
        .order_by()
        .values("id", "occurred_at", "prev_id", "prev_action", "prev_due")
    )
    b_sql, b_params = boundary.query.sql_with_params()
    e_sql, e_params = ended.values("id").query.sql_with_params()
    starts = ", ".join(["%s"] * len(STEP_STARTS))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT x.id, x.prev_id FROM ({b_sql}) x WHERE x.prev_action IN ({starts}) "
            f"AND x.prev_due < x.occurred_at AND x.id IN ({e_sql})",
            [*b_params, *STEP_STARTS, *e_params],
        )
        pairs = cur.fetchall()
    events: dict[int, dict] = {}
    ids = [i for pair in pairs for i in pair]
    for i in range(0, len(ids), 10000):
        for r in DossierEvent.objects.filter(id__in=ids[i : i + 10000]).values(
            "id",
            "dossier_id",
            "dossier__code",
            "dossier__handling_unit__code",
            "occurred_at",
            "actor_id",
            "step_due_at",
            "data",
        ):
            events[r["id"]] = r
    # Official: the assignee written on the step's start event, else the actor who ended it.
    officials = {}
    for end_id, start_id in pairs:
        data = events[start_id]["data"] if isinstance(events[start_id]["data"], dict) else {}
        assignee = data.get("assignee_id")
        officials[end_id] = int(assignee) if assignee else events[end_id]["actor_id"]
    users = {
        u["id"]: person_name(u["first_name"], u["last_name"], u["username"])
        for u in get_user_model()
        .objects.filter(id__in={o for o in officials.values() if o})
        .values("id", "first_name", "last_name", "username")
    }
    out = []
    for end_id, start_id in pairs:
        e, s = events[end_id], events[start_id]
        data = s["data"] if isinstance(s["data"], dict) else {}
        official = officials[end_id]
        out.append(
            {
                "dossier_id": e["dossier_id"],
                "dossier_code": e["dossier__code"],
                "unit_code": e["dossier__handling_unit__code"],
                "step_name": data.get("to_step") or data.get("step"),
                "official_id": official,
                "official_name": users.get(official),
                "due_at": s["step_due_at"],
                "done_at": e["occurred_at"],
            }
        )
    return out


def _open_late(unit_ids: list[int] | None, cutoff: datetime) -> list[dict]:
    """Current steps of dossiers in processing (not paused) whose deadline passed before ``cutoff``."""
    from motcua.dossiers.models import Dossier, Pause, Status

    qs = Dossier.objects.filter(status=Status.PROCESSING, step_due_at__isnull=False, step_due_at__lt=cutoff).exclude(
        Exists(Pause.objects.filter(dossier_id=OuterRef("pk"), ended_at__isnull=True))
    )
    if unit_ids is not None:
        qs = qs.filter(handling_unit_id__in=unit_ids)
    return [
        {
            "dossier_id": r["id"],
            "dossier_code": r["code"],
            "unit_code": r["handling_unit__code"],
            "step_name": r["current_step__name"],
            "official_id": r["current_assignee_id"],
            "official_name": person_name(
                r["current_assignee__first_name"], r["current_assignee__last_name"], r["current_assignee__username"]
            )
            if r["current_assignee_id"]
            else None,
            "due_at": r["step_due_at"],
            "done_at": None,
        }
        for r in qs.values(
            "id",
            "code",
            "handling_unit__code",
            "current_step__name",
            "current_assignee_id",
            "current_assignee__first_name",
            "current_assignee__last_name",
            "current_assignee__username",
            "step_due_at",
        )
    ]


def _consultations_late(unit_ids: list[int] | None, start: datetime, end: datetime, cutoff: datetime) -> list[dict]:
    """Consultations answered in [start, end) after their deadline, or unanswered past it before ``cutoff``."""
    from django.contrib.auth import get_user_model

    from motcua.dossiers.models import Consultation, DossierEvent, Status

    answered = Q(answered_at__gte=start, answered_at__lt=end, answered_at__gt=F("due_at"))
    pending = Q(
        answered_at__isnull=True,
        due_at__lt=cutoff,
        dossier__status__in=(Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION),
    )
    qs = Consultation.objects.filter(answered | pending)
    if unit_ids is not None:
        qs = qs.filter(Q(unit_id__in=unit_ids) | Q(dossier__handling_unit_id__in=unit_ids))
    answerer = (
        DossierEvent.objects.filter(
            dossier_id=OuterRef("dossier_id"), action="answer_consultation", occurred_at=OuterRef("answered_at")
        )
        .order_by("id")
        .values("actor_id")[:1]
    )
    rows = list(
        qs.annotate(answerer=Subquery(answerer)).values(
            "dossier_id", "dossier__code", "unit__code", "unit__name", "due_at", "answered_at", "answerer"
        )
    )
    users = {
        u["id"]: person_name(u["first_name"], u["last_name"], u["username"])
        for u in get_user_model()
        .objects.filter(id__in={r["answerer"] for r in rows if r["answerer"]})
        .values("id", "first_name", "last_name", "username")
    }
    return [
        {
            "dossier_id": r["dossier_id"],
            "dossier_code": r["dossier__code"],
            "unit_code": r["unit__code"],
            "step_name": f"{CONSULTATION_STEP}: {r['unit__name']}",
            "official_id": r["answerer"],
            "official_name": users.get(r["answerer"]),
            "due_at": r["due_at"],
            "done_at": r["answered_at"],
        }
        for r in rows
    ]


def late_steps(unit_ids: list[int] | None, start: datetime, end: datetime) -> list[LateStep]:
    """Late processing steps of dossiers handled by ``unit_ids`` (None: every unit) in [start, end).

    Finished steps count when they ended in the window; open steps (and unanswered
    consultations) when their deadline passed before the window's end (or now, if earlier)
    — a step still overdue is listed in every window it stays open in. ``unit_ids`` are taken
    as given: pass a parent's whole subtree (``subtree_ids``) to cover its units.
    Ordered by dossier code, then due instant.
    """
    cal = _calendar()
    cutoff = min(end, timezone.now())
    rows = (
        _finished_late(unit_ids, start, end)
        + _open_late(unit_ids, cutoff)
        + _consultations_late(unit_ids, start, end, cutoff)
    )
    out = [LateStep(**r, hours_late=_hours(cal, r["due_at"], r["done_at"] or cutoff)) for r in rows]
    out.sort(key=lambda s: (s.dossier_code, s.due_at, s.done_at is None, s.done_at or s.due_at))
    return out


def late_officials(unit_ids: list[int] | None, start: datetime, end: datetime) -> list[OfficialLateness]:
    """Officials (per unit) by their late steps in [start, end), worst first.

    Worst = most late steps, then most working hours late. Steps without a known official
    are grouped under ``official_id=None``.
    """
    groups: dict[tuple[int | None, str], dict[str, Any]] = {}
    for s in late_steps(unit_ids, start, end):
        g = groups.setdefault(
            (s.official_id, s.unit_code), {"name": s.official_name, "steps": 0, "dossiers": set(), "hours": Decimal(0)}
        )
        g["steps"] += 1
        g["dossiers"].add(s.dossier_id)
        g["hours"] += s.hours_late
        g["name"] = g["name"] or s.official_name
    out = [
        OfficialLateness(official, g["name"], unit, g["steps"], len(g["dossiers"]), g["hours"])
        for (official, unit), g in groups.items()
    ]
    out.sort(key=lambda o: (-o.late_steps, -o.hours_late, o.unit_code, o.official_name or "", o.official_id or 0))
    return out


def subtree_ids(unit_id: int) -> list[int]:
    """The unit and every unit under it (ids), for ``late_steps`` over a parent."""
    from motcua.org.models import Unit

    parents = dict(Unit.objects.values_list("id", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    out, stack = [], [unit_id]
    while stack:
        u = stack.pop()
        if u in out:
            continue
        out.append(u)
        stack.extend(children.get(u, []))
    return out


# --------------------------------------------------------------------------- explanations


def _follow_boundary(steps: list[dict], r: dict) -> None:
    """Apply one boundary event to a dossier's steps: end the open step, open the next one."""
    data = r["data"] if isinstance(r["data"], dict) else {}
    if steps and steps[-1]["end"] is None and r["action"] in STEP_ENDS + STEP_INTERRUPTIONS:
        steps[-1]["end"] = r["occurred_at"]
        if not steps[-1]["official"]:
            steps[-1]["official"] = r["actor_id"]
    if r["action"] in STEP_STARTS:  # a hand-off both ends one step (above) and starts the next
        assignee = data.get("assignee_id")
        steps.append(
            {
                "name": data.get("to_step") or data.get("step"),
                "start": r["occurred_at"],
                "due": r["step_due_at"],
                "end": None,
                "official": int(assignee) if assignee else None,
            }
        )


def _answerable_step(steps: list[dict], due: datetime | None, now: datetime) -> dict:
    """The first step that overran its deadline, else the one holding the dossier at ``due``, else the last."""
    chosen = next((s for s in steps if s["due"] is not None and (s["end"] or now) > s["due"]), None)
    if chosen is None and due is not None:
        chosen = next((s for s in steps if s["start"] <= due < (s["end"] or now)), None)
    return chosen or steps[-1]


def responsible_for(codes: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Dossier code -> (step name, official name) answerable for it (explanations).

    The first step that overran its own deadline (it ate the dossier's time); else the step
    holding the dossier when its due instant (NgayHenTra) passed; else its current step, else
    its last one. One query per 2,000 codes (plus one for the officials' names).
    """
    from django.contrib.auth import get_user_model

    from motcua.dossiers.models import DossierEvent

    codes = list(dict.fromkeys(codes))
    now = timezone.now()
    steps: dict[str, list[dict]] = {}
    meta: dict[str, dict] = {}
    user_ids: set[int] = set()
    for i in range(0, len(codes), 2000):
        chunk = codes[i : i + 2000]
        rows = (
            DossierEvent.objects.filter(action__in=BOUNDARIES, dossier__code__in=chunk)
            .order_by("dossier_id", "occurred_at", "id")
            .values(
                "dossier__code",
                "action",
                "occurred_at",
                "step_due_at",
                "actor_id",
                "data",
                "dossier__due_at",
                "dossier__status",
                "dossier__current_assignee_id",
            )
        )
        for r in rows:
            code = r["dossier__code"]
            meta[code] = r
            _follow_boundary(steps.setdefault(code, []), r)
    for code, lst in steps.items():
        if lst and lst[-1]["end"] is None and not lst[-1]["official"]:
            lst[-1]["official"] = meta[code]["dossier__current_assignee_id"]
        user_ids.update(s["official"] for s in lst if s["official"])
    users = {
        u["id"]: person_name(u["first_name"], u["last_name"], u["username"])
        for u in get_user_model().objects.filter(id__in=user_ids).values("id", "first_name", "last_name", "username")
    }

    out: dict[str, tuple[str | None, str | None]] = {}
    for code, lst in steps.items():
        if not lst:
            continue
        chosen = _answerable_step(lst, meta[code]["dossier__due_at"], now)
        out[code] = (chosen["name"], users.get(chosen["official"]))
    return out


__all__ = ["LateStep", "OfficialLateness", "late_steps", "late_officials", "responsible_for", "subtree_ids"]
