"""Storing and reading checked files (one row and one stored object per distinct content).

Storing is idempotent: the same bytes give the same :class:`StoredFile`. An object written by an
action whose transaction then rolls back stays in the storage without a row; the next upload of the
same bytes reuses it, and nothing can reach it meanwhile (downloads go through rows).
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from motcua.core.errors import UserError

from . import checks
from .models import StoredFile
from .storage import file_storage

logger = logging.getLogger("motcua.files")


class TamperedFile(UserError):
    """The stored bytes no longer match their SHA-256 (changed behind the application's back)."""


def store_bytes(
    data: bytes, *, page_count: int, original_type: str = "application/pdf", has_signature: bool = False
) -> StoredFile:
    """Store checked PDF bytes once; return their row."""
    digest = hashlib.sha256(data).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        _ensure_object(existing, data)
        return existing
    row = StoredFile(
        sha256=digest, size=len(data), page_count=page_count, original_type=original_type, has_signature=has_signature
    )
    _ensure_object(row, data)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same bytes stored concurrently
        return StoredFile.objects.get(sha256=digest)
    return row


def _ensure_object(row: StoredFile, data: bytes) -> None:
    storage, name = file_storage(), row.storage_name
    if storage.exists(name):
        return
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # written concurrently by another request: keep one copy
        storage.delete(saved)


def store_upload(upload) -> tuple[StoredFile, checks.CheckedFile]:
    """Check an upload (type from its bytes, PDF parse, image → PDF, antivirus) and store it."""
    checked = checks.check_upload(upload)
    return store_bytes(checked.data, page_count=checked.page_count, original_type=checked.original_type), checked


def read_bytes(stored: StoredFile, *, verify: bool = True) -> bytes:
    """The stored bytes; with ``verify`` a mismatch with the SHA-256 raises :class:`TamperedFile`."""
    with file_storage().open(stored.storage_name, "rb") as handle:
        data = handle.read()
    if verify and hashlib.sha256(data).hexdigest() != stored.sha256:
        logger.error("stored file %s does not match its SHA-256", stored.sha256)
        raise TamperedFile(
            "Tệp lưu trữ đã bị thay đổi so với khi tiếp nhận; không cung cấp tệp này.",
            f"stored file {stored.sha256} does not match its hash",
            code="tampered",
        )
    return data


def validate_stored(stored: StoredFile):
    """The signature validation of a stored file as it is now, and whether its bytes still match their hash.

    The bytes are read without the hash check: a file changed behind our back must show its
    signature as broken, not disappear.
    """
    from . import signing

    data = read_bytes(stored, verify=False)
    tampered = hashlib.sha256(data).hexdigest() != stored.sha256
    return signing.validation_of(data), tampered
