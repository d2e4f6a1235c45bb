"""Searching dossiers by the applicant's name without diacritics and case, on SQLite and PostgreSQL alike.

The folded name is a column of its own (``Dossier.applicant_key``, indexed) rather than a database function,
so both databases search it the same way; PostgreSQL adds a trigram index when pg_trgm is available
(migration 0004_workspace_…), which serves the "contains" search.
"""

from __future__ import annotations

import re

from django.db.models import Q

from motcua.core.text import normalize

from .models import Dossier

#: Rows folded per UPDATE batch after a bulk import.
BATCH = 2000


#: A personal ID number (CCCD: 12 digits; old CMND: 9) or an organisation's tax code (10 or 13 digits).
ID_NUMBER = re.compile(r"^\d{9,13}$")
#: What only a dossier code looks like: a unit part and a dash followed by a digit ("H44.01-2603…").
CODE_LIKE = re.compile(r"^[0-9A-Za-z.]+-\d")


def _code_prefix(text: str) -> Q:
    """Codes starting with ``text``, as a range on the unique index (LIKE would not use it on SQLite)."""
    prefix = text.upper()
    return Q(code__gte=prefix, code__lt=prefix + "\U0010ffff")


def text_condition(text: str) -> Q:
    """What a typed search means, each kind on its own index: an ID number finds the applicant's dossiers; a
    code (prefix) the dossiers whose code starts with it; anything else an applicant whose name contains it,
    ignoring diacritics and case ("nguyen van an" finds "Nguyễn Văn An"), or a code starting with it."""
    text = text.strip()
    if ID_NUMBER.match(text):
        return Q(applicant_id_number=text) | _code_prefix(text)
    if CODE_LIKE.match(text):
        return _code_prefix(text)
    condition = _code_prefix(text)
    key = normalize(text)
    if key:
        condition |= Q(applicant_key__contains=key)
    return condition


def fill_keys(queryset=None) -> int:
    """Fold the names of dossiers written in bulk (imports bypass save()); returns how many were filled."""
    rows = (
        (queryset if queryset is not None else Dossier.objects.all())
        .filter(applicant_key="")
        .exclude(applicant_name="")
        .values_list("pk", "applicant_name")
    )
    filled, batch = 0, []
    for pk, name in rows.iterator(chunk_size=BATCH):
        batch.append(Dossier(pk=pk, applicant_key=normalize(name)[:255]))
        if len(batch) >= BATCH:
            filled += Dossier.objects.bulk_update(batch, ["applicant_key"])
            batch = []
    if batch:
        filled += Dossier.objects.bulk_update(batch, ["applicant_key"])
    return filled
