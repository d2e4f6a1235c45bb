"""Writing the outbox: in the transaction of the dossier change itself (portal-sync.md §1.5).

Every dossier change goes through the lifecycle services, and each writes one
:class:`~motcua.dossiers.models.DossierEvent`; a ``post_save`` receiver on that event (connected
in :mod:`motcua.nationalportal.signals`) runs inside the same transaction and records here what
the portal must receive. A change that rolls back takes its outbox rows with it; a committed one
cannot lose them. The importer writes in bulk (no ``post_save``): imported dossiers reach the
outbox only through :func:`enqueue_dossiers` (``motcua portal enqueue``).
"""

from __future__ import annotations

from collections import Counter, namedtuple
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from motcua.core.bulk import TableWriter
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.org.models import Official, Unit

from .models import OutboxMessage, PortalDossier
from .payloads import progress_item

_PENDING_UPSERT = (
    "INSERT INTO {table} (dossier_id, ready_at, pending_since, lease_owner, attempts, on_portal, acked_hash, "
    "blocked, last_error) VALUES {values} ON CONFLICT (dossier_id) DO UPDATE SET "
    "ready_at = COALESCE({table}.ready_at, EXCLUDED.ready_at), "
    "pending_since = COALESCE({table}.pending_since, EXCLUDED.pending_since)"
)


def _pending_sql() -> str:
    """The upsert making one dossier ready to send, keeping a back-off already running (3 parameters)."""
    false = "false" if connection.vendor == "postgresql" else "0"
    return _PENDING_UPSERT.format(
        table=connection.ops.quote_name(PortalDossier._meta.db_table),
        values=f"(%s, %s, %s, '', 0, {false}, '', {false}, '')",
    )


def _mark_pending(dossier_ids: Iterable[int], now) -> None:
    """Make each dossier ready to send, keeping a back-off already running."""
    rows = [(pk, now, now) for pk in dossier_ids]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_pending_sql(), rows)


def _messages_sql(rows: list[tuple]) -> tuple[str, list]:
    """An INSERT of outbox rows (values in :data:`_COLUMNS` order) and its parameters.

    Values go through each field's ``get_db_prep_save``, as ``bulk_create`` does; a dossier change
    writes one or two rows, for which ``bulk_create``'s machinery would cost more than the insert.
    """
    columns = _columns()
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(columns))})"
    sql = (
        f"INSERT INTO {quote(OutboxMessage._meta.db_table)} ({', '.join(quote(c) for _, c in columns)}) "
        f"VALUES {', '.join([row] * len(rows))}"
    )
    return sql, [
        f.get_db_prep_save(value, connection) for values in rows for (f, _), value in zip(columns, values, strict=True)
    ]


def _columns() -> list[tuple[Field, str]]:
    """The fields of :data:`_COLUMNS` and their columns: all concrete, so each has one."""
    columns = []
    for name in _COLUMNS:
        field = OutboxMessage._meta.get_field(name)
        assert isinstance(field, Field) and field.column is not None, name
        columns.append((field, field.column))
    return columns


def _write_change(dossier_id: int, rows: list[tuple], now) -> None:
    """Queue one dossier change's outbox rows and mark the dossier pending.

    On PostgreSQL both writes go in one statement (a data-modifying ``WITH``): the outbox is paid
    in round trips inside the person's transaction, not in CPU. SQLite runs in-process, where two
    statements cost about as much as one.
    """
    insert, params = _messages_sql(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH queued AS ({insert}) {_pending_sql()}", [*params, dossier_id, now, now])
        else:
            cursor.execute(insert, params)
            cursor.execute(_pending_sql(), [dossier_id, now, now])


def _official_details(user) -> tuple[str, str]:
    """The name and title (or role) an official's progress items carry."""
    position = (
        Official.objects.filter(user=user, is_active=True).order_by("-unit_id").values_list("title", "role").first()
    )
    return user.get_full_name() or user.get_username(), _title(position)


def _title(position: tuple[str, str] | None) -> str:
    if not position or not (position[0] or position[1]):
        return ""
    return str(position[0] or Official(role=position[1]).get_role_display())


def _event_details(event: DossierEvent, dossier: Dossier) -> tuple[str, str, str]:
    """The actor's name and title and the handling unit's name, read in one query.

    A fixed statement rather than a queryset: this runs in every status change, where compiling an
    annotated queryset cost more than the round trip itself.
    """
    user = event.actor
    official, unit = (connection.ops.quote_name(m._meta.db_table) for m in (Official, Unit))
    position = f"FROM {official} WHERE user_id = %s AND is_active ORDER BY unit_id DESC LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, (SELECT title {position}), (SELECT role {position}) FROM {unit} WHERE id = %s",
            [getattr(user, "pk", None), getattr(user, "pk", None), dossier.handling_unit_id],
        )
        unit_name, title, role = cursor.fetchone()
    if user is None:
        return "", "", unit_name
    return user.get_full_name() or user.get_username(), _title((title, role)), unit_name


def record_event(event: DossierEvent) -> None:
    """What ``event`` means for the portal: the dossier's new state, and a progress item if its status moved."""
    dossier = event.dossier
    now = timezone.now()
    rows: list[tuple] = [(dossier.pk, OutboxMessage.Kind.UPSERT.value, {}, None, None, now, False, 0, "")]
    if event.to_status is not None:
        name, title, unit_name = _event_details(event, dossier)
        item = progress_item(event, dossier, actor_name=name, actor_title=title, unit_name=unit_name)
        rows.append(
            (dossier.pk, OutboxMessage.Kind.PROGRESS.value, item, event.to_status, event.occurred_at, now, False, 0, "")
        )
    _write_change(dossier.pk, rows, now)


def enqueue_dossiers(queryset, *, chunk: int = 2000) -> dict[str, int]:
    """Queue the full state and status history of the dossiers (after an import, or to resync).

    Idempotent: a status-history entry already queued or delivered for the dossier (same status
    and instant) is not queued again, so a resync after everything was delivered adds no
    progress item to the portal; only the dossiers' current state is sent again.
    """
    counts = {"dossiers": 0, "progress": 0}
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            counts["progress"] += _enqueue_chunk(part)
            counts["dossiers"] += len(part)
    return counts


#: What progress_item reads of an event: read as tuples, not model instances (a backlog has millions).
_EventRow = namedtuple(
    "_EventRow",
    ["dossier_id", "to_status", "occurred_at", "actor_id", "actor_label", "reason", "action", "step_due_at"],
)
_COLUMNS = ("dossier", "kind", "payload", "status", "occurred_at", "created_at", "maybe_applied", "attempts", "error")


def _enqueue_chunk(ids: list[int]) -> int:
    now = timezone.now()
    dossiers = {d.pk: d for d in Dossier.objects.filter(pk__in=ids).select_related("handling_unit")}
    queued = Counter(
        OutboxMessage.objects.filter(dossier_id__in=ids, kind=OutboxMessage.Kind.PROGRESS).values_list(
            "dossier_id", "status", "occurred_at"
        )
    )
    upsert, progress_kind = OutboxMessage.Kind.UPSERT.value, OutboxMessage.Kind.PROGRESS.value
    rows: list[tuple] = [(pk, upsert, {}, None, None, now, False, 0, "") for pk in ids]
    progress = 0
    actors: dict[int, tuple[str, str]] = {}  # an official's name and title, looked up once per chunk
    events = (
        DossierEvent.objects.filter(dossier_id__in=ids, to_status__isnull=False)
        .order_by("dossier_id", "occurred_at", "pk")
        .values_list(*_EventRow._fields)
    )
    for event in map(_EventRow._make, events):
        key = (event.dossier_id, event.to_status, event.occurred_at)
        if queued[key] > 0:
            queued[key] -= 1  # this entry is already on its way, or delivered
            continue
        dossier = dossiers[event.dossier_id]
        name, title = "", ""
        if event.actor_id:
            if event.actor_id not in actors:
                actors[event.actor_id] = _official_details(get_user_model().objects.get(pk=event.actor_id))
            name, title = actors[event.actor_id]
        item = progress_item(event, dossier, actor_name=name, actor_title=title, unit_name=dossier.handling_unit.name)
        rows.append((dossier.pk, progress_kind, item, event.to_status, event.occurred_at, now, False, 0, ""))
        progress += 1
    # COPY on PostgreSQL (bulk_create's UNNEST arrays cost ~0.4 ms a row to build), in this transaction.
    TableWriter().write(OutboxMessage, _COLUMNS, rows)
    _mark_pending(ids, now)
    return progress
