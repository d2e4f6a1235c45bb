"""Reuse of earlier papers at reception (tái sử dụng giấy tờ, kết quả đã số hóa — indicator 4.3).

At the desk, the official looks up the applicant's earlier papers by số định danh cá nhân (or mã
số doanh nghiệp) among the dossiers they may see (the caller passes that scope, from
:func:`motcua.access.policy.visible_dossiers`): digitized components that passed the file checks,
and results signed here whose signature validated. Every look-up is logged with its reason
(:class:`PaperLookup`), found or not. Attaching a paper adds a component pointing at the same
stored file (no new upload), marked reused (DuocTaiSuDung) and digitized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.audit import audit_context
from motcua.core.errors import UserError

from .models import Dossier, DossierComponent, DossierResult, PaperLookup, Status

_ID = re.compile(r"^[0-9A-Za-z]{6,13}$")


@dataclass(frozen=True)
class Paper:
    """One earlier paper that may be reused: a digitized component or a signed result."""

    key: str  # "c<pk>" or "r<pk>"
    name: str
    source_code: str
    source_dossier_id: int
    issued_at: datetime | None
    kind: str  # "component" or "result"
    stored_file_id: int
    sha256: str
    page_count: int


def _clean_id(id_number: str) -> str:
    value = (id_number or "").strip()
    if not _ID.match(value):
        raise UserError("Số định danh / mã số doanh nghiệp không hợp lệ.", f"bad id number {value!r} for a look-up")
    return value


def look_up(
    id_number: str, *, visible: QuerySet, actor, reason: str, dossier: Dossier | None = None
) -> tuple[PaperLookup, list[Paper]]:
    """The applicant's earlier reusable papers in ``visible`` dossiers; the look-up itself is logged."""
    id_number = _clean_id(id_number)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise UserError("Phải ghi mục đích tra cứu giấy tờ.", "paper look-up without a reason")
    unique = papers_of(id_number, visible=visible, dossier=dossier)
    lookup = PaperLookup.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        id_number=id_number,
        reason=reason[:500],
        dossier=dossier,
        found=len(unique),
    )
    return lookup, unique


def papers_of(id_number: str, *, visible: QuerySet, dossier: Dossier | None = None) -> list[Paper]:
    """The reusable papers of ``id_number`` in ``visible`` dossiers (not logged: call :func:`look_up`)."""
    sources = visible.filter(applicant_id_number=id_number)
    if dossier is not None:
        sources = sources.exclude(pk=dossier.pk)
    papers = []
    for c in (
        DossierComponent.objects.filter(dossier__in=sources, stored_file__isnull=False, digitized=True)
        .select_related("dossier", "stored_file")
        .order_by("-dossier__received_at", "pk")[:200]
    ):
        if (stored := c.stored_file) is None:  # excluded by the query; narrows the nullable foreign key
            continue
        papers.append(
            Paper(
                f"c{c.pk}",
                c.name or c.component_code,
                c.dossier.code,
                c.dossier_id,
                c.uploaded_at,
                "component",
                stored.pk,
                stored.sha256,
                stored.page_count,
            )
        )
    for r in (
        DossierResult.objects.filter(
            dossier__in=sources, stored_file__isnull=False, signature_state=DossierResult.Signature.VERIFIED
        )
        .select_related("dossier", "stored_file")
        .order_by("-issued_at", "pk")[:200]
    ):
        if (stored := r.stored_file) is None:  # excluded by the query; narrows the nullable foreign key
            continue
        papers.append(
            Paper(
                f"r{r.pk}",
                r.title or r.code,
                r.dossier.code,
                r.dossier_id,
                r.issued_at,
                "result",
                stored.pk,
                stored.sha256,
                stored.page_count,
            )
        )
    seen, unique = set(), []
    for paper in papers:  # one line per distinct file: the same scan reused before is one paper
        if paper.sha256 not in seen:
            seen.add(paper.sha256)
            unique.append(paper)
    return unique


def reuse(
    dossier: Dossier,
    lookup: PaperLookup,
    keys: list[str],
    *,
    visible: QuerySet,
    component_code: str = "",
    actor=None,
    at: datetime | None = None,
    source: str = "web",
) -> list[DossierComponent]:
    """Attach the chosen papers found by ``lookup`` (the actor's own) to ``dossier`` as reused components (4.3).

    The papers are found again within ``visible``: a paper the official may no longer see cannot be attached.
    """
    at = at or timezone.now()
    if lookup.actor_id != getattr(actor, "pk", None):
        raise UserError("Kết quả tra cứu không phải của bạn.", f"look-up {lookup.pk} belongs to another official")
    papers = papers_of(lookup.id_number, visible=visible, dossier=dossier)
    chosen = [p for p in papers if p.key in set(keys)]
    if not chosen:
        raise UserError("Chưa chọn giấy tờ nào để sử dụng lại.", "reuse without a selection")
    if lookup.dossier_id != dossier.pk:
        raise UserError("Kết quả tra cứu không thuộc hồ sơ này.", "look-up of another dossier")
    if dossier.applicant_id_number and lookup.id_number != dossier.applicant_id_number:
        raise UserError(
            "Chỉ sử dụng lại giấy tờ của chính chủ hồ sơ.",
            f"look-up {lookup.id_number} is not the applicant of {dossier.code}",
        )
    if dossier.status in (Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED, Status.DONE):
        raise UserError("Hồ sơ đã kết thúc; không bổ sung giấy tờ được.", f"{dossier.code} is closed")
    person = actor if getattr(actor, "is_authenticated", False) else None
    created = []
    with transaction.atomic(), audit_context(actor, source):
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        for paper in chosen:
            created.append(
                DossierComponent.objects.create(
                    dossier=dossier,
                    component_code=component_code if len(chosen) == 1 else "",
                    name=paper.name[:500],
                    has_file=True,
                    digitized=True,
                    reused=True,
                    stored_file_id=paper.stored_file_id,
                    file_sha256=paper.sha256,
                    original_name=f"{paper.source_code}: {paper.name}"[:255],
                    uploaded_by=person,
                    uploaded_at=at,
                    reused_from_id=paper.source_dossier_id,
                    extra={"reused": {"kind": paper.kind, "from": paper.source_code, "lookup": lookup.pk}},
                )
            )
        if not dossier.has_digitized_component:
            Dossier.objects.filter(pk=dossier.pk).update(has_digitized_component=True)
        PaperLookup.objects.filter(pk=lookup.pk).update(
            attached=[*lookup.attached, *({"key": p.key, "from": p.source_code, "sha256": p.sha256} for p in chosen)]
        )
    return created
