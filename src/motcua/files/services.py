"""Storing and reading checked files (one row and one stored object per distinct content).

Storing is idempotent: the same bytes give the same :class:`StoredFile`. An object written by an
action whose transaction then rolls back stays in the storage without a row; the next upload of the
same bytes reuses it, and nothing can reach it meanwhile (downloads go through rows). The worker
deletes such objects once they are a week old (:func:`sweep_orphaned_objects`). Rows nothing refers
to any more (a replaced draft) are kept with their objects: they may be wanted for the dossier's
archive.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Iterator
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

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


#: How old an object without a row must be before the sweep deletes it: an upload is stored before
#: the action that refers to it commits, and a sweep must never take it in between.
ORPHAN_GRACE = timedelta(days=7)


def _object_names(storage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for sub in folders:
        yield from _object_names(storage, posixpath.join(folder, sub) if folder else sub)


def sweep_orphaned_objects(now=None) -> int:
    """Delete the stored objects that no :class:`StoredFile` row names and that are older than
    :data:`ORPHAN_GRACE` (left by actions that rolled back); returns how many. Anything else in the
    storage (a name not made by :attr:`StoredFile.storage_name`) is left alone."""
    storage, cutoff = file_storage(), (now or timezone.now()) - ORPHAN_GRACE
    candidates: dict[str, str] = {}
    for name in _object_names(storage):
        digest = posixpath.basename(name).removesuffix(".pdf")
        if len(digest) == 64 and StoredFile(sha256=digest).storage_name == name:  # laid out by us
            candidates[digest] = name
    deleted = 0
    digests = sorted(candidates)
    for i in range(0, len(digests), 500):
        chunk = digests[i : i + 500]
        known = set(StoredFile.objects.filter(sha256__in=chunk).values_list("sha256", flat=True))
        for digest in chunk:
            name = candidates[digest]
            if digest in known or storage.get_modified_time(name) >= cutoff:
                continue
            if _delete_unless_stored_again(storage, name, digest):
                deleted += 1
                logger.info("stored object %s had no row since %s: deleted", name, cutoff.date())
    return deleted


def _delete_unless_stored_again(storage, name: str, digest: str) -> bool:
    """Delete one orphan; if an upload of the same bytes made its row meanwhile (it found the object
    there and did not write it again), put the bytes back."""
    with storage.open(name, "rb") as handle:
        data = handle.read()
    storage.delete(name)
    if StoredFile.objects.filter(sha256=digest).exists():
        storage.save(name, ContentFile(data))
        return False
    return True
