"""Published answers to complaints (PAKN đã công khai): searchable without accents.

The searchable text (title, content and answer without diacritics) of every published complaint is held
in the cache like the catalogue's, keyed by a fingerprint of the publications (count, last log row).
Nothing about the sender is shown or searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Q

from motcua.dossiers.intake import normalize
from motcua.feedback.models import Complaint, ComplaintStatus, ComplaintStatusLog

CACHE_SECONDS = 300
#: Where an answer's text is kept until the complaints desk stores it in a field of its own
#: (imported and portal complaints carry it in ``extra``).
ANSWER_KEY = "NoiDungTraLoi"
_SEARCHED_CHARS = 4000


@dataclass(frozen=True)
class Entry:
    pk: int
    code: str
    title: str
    unit_code: str
    unit_name: str
    submitted_at: datetime | None
    published_at: datetime | None
    text: str


def answer_of(complaint: Complaint) -> str:
    return str((complaint.extra or {}).get(ANSWER_KEY) or "")


def published():
    return Complaint.objects.filter(status=ComplaintStatus.PUBLISHED)


def _fingerprint() -> str:
    stats = ComplaintStatusLog.objects.filter(status=ComplaintStatus.PUBLISHED).aggregate(n=Count("pk"), last=Max("pk"))
    return f"{published().count()}:{stats['n']}:{stats['last']}"


def entries() -> list[Entry]:
    """Every published complaint, latest publication first (cached)."""
    key = f"motcua:public-complaints:{_fingerprint()}"
    rows = cache.get(key)
    if rows is None:
        query = (published().annotate(published_at=Max("status_log__occurred_at",
                                                        filter=Q(status_log__status=ComplaintStatus.PUBLISHED)))
                 .values_list("pk", "code", "title", "unit__code", "unit__name", "submitted_at", "published_at",
                              "content", "extra"))
        rows = [Entry(pk, code, title, unit_code, unit_name, submitted, at,
                      normalize(" ".join((code, title, (content or "")[:_SEARCHED_CHARS],
                                          str((extra or {}).get(ANSWER_KEY) or "")[:_SEARCHED_CHARS]))))
                for pk, code, title, unit_code, unit_name, submitted, at, content, extra in query]
        rows.sort(key=lambda e: (e.published_at is not None, e.published_at or e.submitted_at), reverse=True)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def search(query: str = "", unit_code: str = "") -> list[Entry]:
    rows = entries()
    if unit_code:
        rows = [e for e in rows if e.unit_code == unit_code]
    words = normalize(query).split()
    if words:
        rows = [e for e in rows if all(w in e.text for w in words)]
    return rows
