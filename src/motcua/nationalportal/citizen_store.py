"""Pushing signed results to the applicant's electronic data store (kho quản lý dữ liệu điện tử của tổ chức,
cá nhân on Cổng DVCQG) — indicator 4.4.

Behind an interface (:class:`CitizenStore`): the real connector is the portal's, which motcua has no
specification of yet; :class:`FakeCitizenStore` records every push (in memory and in a JSON-lines file)
for the demo and the tests. ``MOTCUA_CITIZEN_STORE`` chooses: empty (off), ``fake``, or a dotted path to
a class. A push happens in the worker after a result is signed (never inside a request); only a file
whose PAdES signature validates is pushed. The push is recorded as a dossier event
(``push_result``), so it reaches the portal through the outbox like any other change.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("motcua.nationalportal")


@dataclass(frozen=True)
class PushedResult:
    """What is handed to the store: whose paper, which dossier, which signed file."""

    owner_id_number: str
    dossier_code: str
    result_code: str
    title: str
    sha256: str
    size: int


class CitizenStore(Protocol):
    def push(self, item: PushedResult, pdf: bytes) -> str:
        """Store the paper for its owner; returns the store's receipt (identifier of the stored paper)."""


class FakeCitizenStore:
    """Records what was pushed: ``pushed`` in this process, one JSON line per push in
    ``var/fake-citizen-store.jsonl``."""

    pushed: list[PushedResult] = []
    _lock = threading.Lock()

    def __init__(self, journal: Path | None = None):
        self.journal = journal or Path(settings.DATA_DIR) / "fake-citizen-store.jsonl"

    def push(self, item: PushedResult, pdf: bytes) -> str:
        if not pdf.startswith(b"%PDF"):
            raise ValueError("not a PDF")
        receipt = f"KHO-{item.sha256[:16]}"
        with self._lock:
            FakeCitizenStore.pushed.append(item)
            with self.journal.open("a", encoding="utf-8") as handle:
                handle.write(
                    json.dumps(
                        {**asdict(item), "receipt": receipt, "at": timezone.now().isoformat()}, ensure_ascii=False
                    )
                    + "\n"
                )
        return receipt


def configured_store() -> CitizenStore | None:
    choice = settings.MOTCUA_CITIZEN_STORE
    if not choice:
        return None
    if choice == "fake":
        return FakeCitizenStore()
    return import_string(choice)()


def push_signed_results(dossier_id: int) -> int:
    """Push the dossier's validated, not yet pushed results; returns how many were pushed."""
    from motcua.dossiers.models import DossierResult
    from motcua.dossiers.services import record_result_pushed
    from motcua.files.services import read_bytes, validate_stored

    store = configured_store()
    if store is None:
        return 0
    pushed = 0
    results = DossierResult.objects.filter(
        dossier_id=dossier_id,
        pushed_to_citizen_store=False,
        stored_file__isnull=False,
        signature_state=DossierResult.Signature.VERIFIED,
    ).select_related("dossier", "stored_file")
    for result in results:
        owner = result.dossier.applicant_id_number
        if not owner:
            continue
        stored = result.stored_file
        if stored is None:  # excluded by the query; narrows the nullable foreign key
            continue
        validation, tampered = validate_stored(stored)
        if tampered or not validation.valid:
            logger.error("not pushing result %s of %s: its signature does not validate", result.pk, result.dossier.code)
            continue
        pdf = read_bytes(stored)
        item = PushedResult(owner, result.dossier.code, result.code, result.title, stored.sha256, len(pdf))
        receipt = store.push(item, pdf)
        record_result_pushed(result, receipt=receipt)
        pushed += 1
    return pushed
