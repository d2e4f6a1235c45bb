"""Signed results pushed to the applicant's data store (4.4) through an interface, with a recording fake."""

from __future__ import annotations

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent, DossierResult
from motcua.files.storage import file_storage
from motcua.nationalportal.citizen_store import FakeCitizenStore, push_signed_results
from motcua.nationalportal.models import OutboxMessage
from tests.pdfs import pdf_bytes, upload
from tests.workspace import processing_fixtures

world = processing_fixtures.world  # the shared fixture, used by name
pytestmark = pytest.mark.django_db


@pytest.fixture
def store(settings, tmp_path):
    settings.MOTCUA_CITIZEN_STORE = "fake"
    settings.DATA_DIR = tmp_path
    FakeCitizenStore.pushed = []
    yield FakeCitizenStore
    FakeCitizenStore.pushed = []


def _signed(world, draft=True):
    dossier = world.processing(consulted=False)
    proposal = services.propose_result(
        dossier,
        title="Giấy phép",
        result_code="GP-1",
        draft=upload("gp.pdf", pdf_bytes(text="giay phep")) if draft else None,
        actor=world.specialist,
    )
    return dossier, proposal


def test_a_signed_result_is_pushed_after_commit_and_the_push_is_an_event(
    world, store, tmp_path, django_capture_on_commit_callbacks
):
    dossier, proposal = _signed(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.approve_result(proposal, signer=world.leader)
    result.refresh_from_db()
    assert result.pushed_to_citizen_store
    (item,) = store.pushed
    assert (item.owner_id_number, item.dossier_code, item.result_code) == ("001203004567", dossier.code, "GP-1")
    assert item.sha256 == result.stored_file.sha256
    event = DossierEvent.objects.get(dossier=dossier, action="push_result")
    assert event.data["receipt"].startswith("KHO-") and event.actor_label == "system"
    assert OutboxMessage.objects.filter(dossier=dossier).exists()  # the portal hears of it through the outbox
    assert "GP-1" in (tmp_path / "fake-citizen-store.jsonl").read_text()
    assert push_signed_results(dossier.pk) == 0  # once only


def test_paper_results_and_broken_signatures_are_not_pushed(world, store, django_capture_on_commit_callbacks):
    paper_dossier, paper = _signed(world, draft=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_result(paper, signer=world.leader)
    assert store.pushed == [] and not DossierResult.objects.get(dossier=paper_dossier).pushed_to_citizen_store

    # Signed without running the after-commit push, then the file is broken, then the push is attempted.
    dossier, proposal = _signed(world)
    result = services.approve_result(proposal, signer=world.leader)  # no on-commit capture: nothing pushed yet
    path = file_storage().path(result.stored_file.storage_name)
    data = bytearray(open(path, "rb").read())
    data[data.index(b"giay phep")] ^= 0x01
    open(path, "wb").write(bytes(data))
    assert push_signed_results(dossier.pk) == 0 and store.pushed == []
    result.refresh_from_db()
    assert not result.pushed_to_citizen_store
