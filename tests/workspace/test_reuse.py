"""Reuse of earlier papers at reception (4.3): looked up by số định danh within the official's scope, logged."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.dossiers import intake, services
from motcua.dossiers.models import DossierComponent, DossierResult, PaperLookup
from tests.pdfs import pdf_bytes, upload
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import RECEIVED_AT

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db
ID = "001203004567"


def _earlier_papers(world):
    """A finished dossier of the department with a scan and a signed result; one of another unit with a scan."""
    earlier = world.processing(consulted=False)
    intake.attach_components(
        earlier,
        [intake.Submission(name="Sổ hộ khẩu", code="TP01", file=upload("so.pdf", pdf_bytes(text="so ho khau")))],
        actor=world.desk,
    )
    proposal = services.propose_result(
        earlier,
        title="Phiếu lý lịch tư pháp",
        result_code="LLTP-1",
        draft=upload("kq.pdf", pdf_bytes(text="ket qua")),
        actor=world.specialist,
    )
    services.approve_result(proposal, signer=world.leader)
    elsewhere = services.receive(
        procedure=world.procedure,
        handling_unit=world.other_unit,
        receiving_unit=world.other_unit,
        channel=1,
        actor=None,
        received_at=RECEIVED_AT,
        applicant={"applicant_name": "Nguyễn Văn An", "applicant_id_number": ID},
    )
    intake.attach_components(
        elsewhere,
        [intake.Submission(name="Giấy phép khác", code="TP09", file=upload("gp.pdf", pdf_bytes(text="khac")))],
    )
    return earlier, elsewhere


def test_look_up_attach_and_log(client, world):
    earlier, elsewhere = _earlier_papers(world)
    assert DossierResult.objects.get(dossier=earlier).signature_state == DossierResult.Signature.VERIFIED
    new = world.received()
    client.force_login(world.desk)
    url = reverse("workspace:desk-reuse", args=[new.code])
    assert client.get(url).status_code == 200

    response = client.post(url, {"id_number": ID, "reason": "Tiếp nhận hồ sơ, công dân đề nghị dùng lại"})
    html = response.content.decode()
    keys = re.findall(r'name="paper" value="([^"]+)"', html)
    assert "Sổ hộ khẩu" in html and "Phiếu lý lịch tư pháp" in html
    assert "Giấy phép khác" not in html  # another unit's dossier: not in this official's scope
    assert len(keys) == 2
    lookup = PaperLookup.objects.get()
    assert (lookup.actor, lookup.id_number, lookup.found, lookup.dossier) == (world.desk, ID, 2, new)

    response = client.post(url, {"step": "attach", "lookup": lookup.pk, "paper": keys})
    assert response.status_code == 302
    reused = list(DossierComponent.objects.filter(dossier=new).order_by("pk"))
    assert len(reused) == 2 and all(c.reused and c.digitized and c.reused_from == earlier for c in reused)
    earlier_files = set(DossierComponent.objects.filter(dossier=earlier).values_list("stored_file", flat=True)) | set(
        DossierResult.objects.filter(dossier=earlier).values_list("stored_file", flat=True)
    )
    assert {c.stored_file_id for c in reused} <= earlier_files  # the same stored files: no new upload
    lookup.refresh_from_db()
    assert len(lookup.attached) == 2
    new.refresh_from_db()
    assert new.has_digitized_component
    # The reused files open for this desk officer through the new dossier.
    assert client.get(reverse("workspace:component-file", args=[new.code, reused[0].pk])).status_code == 200


def test_a_look_up_needs_a_reason_and_a_valid_number_and_is_logged_even_when_nothing_is_found(client, world):
    new = world.received()
    client.force_login(world.desk)
    url = reverse("workspace:desk-reuse", args=[new.code])
    assert "Phải ghi mục đích tra cứu" in client.post(url, {"id_number": ID, "reason": ""}).content.decode()
    assert "không hợp lệ" in client.post(url, {"id_number": "12'; --", "reason": "Tiếp nhận"}).content.decode()
    assert PaperLookup.objects.count() == 0
    html = client.post(url, {"id_number": "079999999999", "reason": "Tiếp nhận hồ sơ"}).content.decode()
    assert 'id="no-papers"' in html and PaperLookup.objects.get().found == 0


def test_someone_elses_look_up_cannot_be_used_and_outsiders_get_404(client, world):
    _earlier_papers(world)
    new = world.received()
    lookup = PaperLookup.objects.create(actor=world.leader, id_number=ID, reason="x" * 10, dossier=new)
    client.force_login(world.desk)
    url = reverse("workspace:desk-reuse", args=[new.code])
    response = client.post(url, {"step": "attach", "lookup": lookup.pk, "paper": ["c1"]})
    assert response.status_code == 200 and DossierComponent.objects.filter(dossier=new).count() == 0
    client.force_login(world.outsider)
    assert client.get(url).status_code in (403, 404)
