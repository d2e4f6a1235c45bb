"""One audit trail for every change by a person, an import or the national portal.

django-auditlog records who/what/when with before/after diffs for every
registered model. ``audit_context`` names the actor (a user) and the source
(``web``, ``import:<run id>``, ``portal``, ``system``), stored in the log
entry's correlation id. Bulk writers that bypass model signals (the importer)
write :func:`log_entry_rows` so nothing goes unrecorded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from auditlog.context import auditlog_value, set_extra_data
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone


@contextlib.contextmanager
def audit_context(actor=None, source: str = "web") -> Iterator[None]:
    """Attribute every audited change inside the block to ``actor`` and ``source``.

    Blocks nest (a service calling another service): django-auditlog does not
    restore the outer block's data when an inner one exits, so we do, or the
    outer block's later changes would lose their actor.
    """
    data = {"cid": source}
    if actor is not None and getattr(actor, "is_authenticated", False):
        data["actor"] = actor
    outer = auditlog_value.get(None)
    try:
        with set_extra_data(data):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def current_source() -> str:
    """The source named by the enclosing :func:`audit_context` (``web``, ``import:<run>`` …), "" outside one."""
    try:
        data = auditlog_value.get()
    except LookupError:
        return ""
    return str((data or {}).get("cid", ""))


def register(*models, exclude_fields: Iterable[str] = ()) -> None:
    """Register models with the audit log (idempotent)."""
    for model in models:
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=list(exclude_fields))


LOG_ENTRY_COLUMNS = (
    "content_type",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "changes_text",
    "actor",
    "cid",
    "timestamp",
    "additional_data",
)


def log_entry_rows(
    model, entries: Iterable[tuple[int, str, int, dict | None, dict | None]], *, actor=None, source: str
) -> list[tuple]:
    """Audit rows (in :data:`LOG_ENTRY_COLUMNS` order) for objects written in bulk.

    ``entries`` yields ``(pk, repr, action, changes, additional_data)`` where
    ``changes`` maps a field to ``[before, after]`` as django-auditlog does.
    """
    content_type_id = ContentType.objects.get_for_model(model).pk
    now = timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return [
        (content_type_id, str(pk), pk, text[:200], action, changes, "", actor_id, source, now, additional)
        for pk, text, action, changes, additional in entries
    ]
