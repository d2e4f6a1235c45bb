"""The worker's sweep of stored objects left without a row (motcua.files.services.sweep_orphaned_objects)."""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from django.core.files.base import ContentFile

from motcua.files import services
from motcua.files.models import StoredFile
from motcua.files.storage import file_storage
from tests.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "motcua_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }
    return file_storage()


def _orphan(storage, text: str, *, days_old: float) -> str:
    """An object written by an action that then rolled back: bytes under their hash, no row."""
    data = pdf_bytes(text=text)
    digest = hashlib.sha256(data).hexdigest()
    name = storage.save(f"{digest[:2]}/{digest[2:4]}/{digest}.pdf", ContentFile(data))
    _age(storage, name, days_old)
    return name


def _age(storage, name: str, days_old: float) -> None:
    then = time.time() - days_old * 86400
    os.utime(storage.path(name), (then, then))


def test_only_old_objects_without_a_row_are_deleted(storage):
    old_orphan = _orphan(storage, "rolled back last month", days_old=30)
    young_orphan = _orphan(storage, "rolled back an hour ago", days_old=0.04)
    kept = services.store_bytes(pdf_bytes(text="a component"), page_count=1)
    _age(storage, kept.storage_name, 30)
    foreign = storage.save("README.txt", ContentFile(b"not ours"))
    _age(storage, foreign, 30)

    assert services.sweep_orphaned_objects() == 1
    assert not storage.exists(old_orphan)
    assert storage.exists(young_orphan) and storage.exists(foreign)
    assert services.read_bytes(kept)  # still readable, hash checked
    assert services.sweep_orphaned_objects() == 0


def test_an_upload_of_the_same_bytes_during_the_sweep_keeps_them(storage, monkeypatch):
    """The upload finds the orphan's object, so it does not write it, and makes its row just as the
    sweep deletes the object: the sweep puts the bytes back."""
    name = _orphan(storage, "uploaded again at night", days_old=30)
    with storage.open(name, "rb") as handle:
        data = handle.read()
    real_delete = type(storage).delete

    def delete_while_uploading(self, victim):
        real_delete(self, victim)
        StoredFile.objects.create(sha256=hashlib.sha256(data).hexdigest(), size=len(data), page_count=1)

    monkeypatch.setattr(type(storage), "delete", delete_while_uploading)
    assert services.sweep_orphaned_objects() == 0
    row = StoredFile.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert services.read_bytes(row) == data
