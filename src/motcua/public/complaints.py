"""Published answers to complaints (PAKN đã công khai): searchable without accents.

The searchable text (title, content and answer without diacritics) of every published complaint is held
in the cache like the catalogue's, keyed by a fingerprint of the publications (count, last log row).
Nothing about the sender is shown or searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from motcua.dossiers.intake import normalize
from motcua.feedback.models import Complaint, ComplaintAnswer, ComplaintStatus, ComplaintStatusLog

CACHE_SECONDS = 300
#: Where imported complaints carry their answer's text (the complaints desk stores its approved answer as a
#: :class:`~motcua.feedback.models.ComplaintAnswer`).
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


def _approved_answer():
    return (
        ComplaintAnswer.objects.filter(complaint=OuterRef("pk"), state=ComplaintAnswer.State.APPROVED)
        .order_by("-decided_at", "-pk")
        .values("text")[:1]
    )


def answer_of(complaint: Complaint) -> str:
    approved = complaint.answers.filter(state=ComplaintAnswer.State.APPROVED).order_by("-decided_at", "-pk").first()
    return approved.text if approved else str((complaint.extra or {}).get(ANSWER_KEY) or "")


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
        query = (
            published()
            .annotate(
                shown_at=Coalesce(
                    "published_at",
                    Max("status_log__occurred_at", filter=Q(status_log__status=ComplaintStatus.PUBLISHED)),
                ),
                approved_answer=Subquery(_approved_answer()),
            )
            .values_list(
                "pk",
                "code",
                "title",
                "unit__code",
                "unit__name",
                "submitted_at",
                "shown_at",
                "content",
                "extra",
                "approved_answer",
            )
        )
        rows = [
            Entry(
                pk,
                code,
                title,
                unit_code,
                unit_name,
                submitted,
                at,
                normalize(
                    " ".join(
                        (
                            code,
                            title,
                            (content or "")[:_SEARCHED_CHARS],
                            (answer or str((extra or {}).get(ANSWER_KEY) or ""))[:_SEARCHED_CHARS],
                        )
                    )
                ),
            )
            for pk, code, title, unit_code, unit_name, submitted, at, content, extra, answer in query
        ]
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
