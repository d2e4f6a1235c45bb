"""Searching dossiers by the applicant's name without diacritics and case, on SQLite and PostgreSQL alike.

The folded name is a column of its own (``Dossier.applicant_key``, indexed) rather than a database function,
so both databases search it the same way; PostgreSQL adds a trigram index when pg_trgm is available
(migration 0004_workspace_…), which serves the "contains" search.
"""

from __future__ import annotations

from django.db.models import Q

from motcua.core.text import normalize

from .models import Dossier

#: Rows folded per UPDATE batch after a bulk import.
BATCH = 2000


def text_condition(text: str) -> Q:
    """A dossier whose code starts with ``text``, whose applicant's ID number is ``text``, or whose applicant's
    name contains ``text`` ignoring diacritics and case ("nguyen van an" finds "Nguyễn Văn An")."""
    text = text.strip()
    condition = Q(code__istartswith=text) | Q(applicant_id_number=text)
    key = normalize(text)
    if key:
        condition |= Q(applicant_key__contains=key)
    return condition


def fill_keys(queryset=None) -> int:
    """Fold the names of dossiers written in bulk (imports bypass save()); returns how many were filled."""
    rows = (queryset if queryset is not None else Dossier.objects.all()).filter(applicant_key="").exclude(
        applicant_name="").values_list("pk", "applicant_name")
    filled, batch = 0, []
    for pk, name in rows.iterator(chunk_size=BATCH):
        batch.append(Dossier(pk=pk, applicant_key=normalize(name)[:255]))
        if len(batch) >= BATCH:
            filled += Dossier.objects.bulk_update(batch, ["applicant_key"])
            batch = []
    if batch:
        filled += Dossier.objects.bulk_update(batch, ["applicant_key"])
    return filled
