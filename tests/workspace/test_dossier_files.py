"""The digital dossier in the workspace: scoped downloads, a draft uploaded and signed for real, validation shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers import intake, tracking
from motcua.dossiers.models import DossierComponent, DossierResult, Proposal
from motcua.files.storage import file_storage
from tests.pdfs import EXECUTABLE, image_bytes, pdf_bytes, upload
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import snapshot

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = pytest.mark.django_db


def _scanned(world):
    dossier = world.processing(consulted=False)
    intake.attach_components(
        dossier,
        [
            intake.Submission(name="Tờ khai", code="TP01", file=upload("to-khai.pdf", pdf_bytes(2))),
            intake.Submission(
                name="Ảnh giấy tờ", code="TP02", file=upload("anh.jpg", image_bytes("JPEG"), "image/jpeg")
            ),
        ],
        actor=world.desk,
    )
    return dossier


def test_component_files_open_inline_for_those_who_may_see_the_dossier(client, world):
    dossier = _scanned(world)
    pdf, image = DossierComponent.objects.filter(dossier=dossier).order_by("pk")
    assert image.stored_file.page_count == 1 and image.original_name == "anh.jpg"  # the image became a PDF
    for user in (world.specialist, world.leader, world.desk, world.control):
        client.force_login(user)
        for component in (pdf, image):
            response = client.get(reverse("workspace:component-file", args=[dossier.code, component.pk]))
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("inline")
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert reverse("workspace:component-file", args=[dossier.code, pdf.pk]) in page
    assert "to-khai.pdf" in page and "Phạm Thu Hà" in page  # who uploaded what


def test_another_units_official_gets_404_on_the_file_url(client, world):
    dossier = _scanned(world)
    component = dossier.components.first()
    client.force_login(world.outsider)
    assert client.get(reverse("workspace:component-file", args=[dossier.code, component.pk])).status_code == 404
    sha = component.stored_file.sha256
    assert client.get(reverse("workspace:result-file", args=[dossier.code, sha])).status_code == 404
    client.logout()
    response = client.get(reverse("workspace:component-file", args=[dossier.code, component.pk]))
    assert response.status_code == 302  # to the sign-in page
    assert not settings_media_url_serves(client, component)


def settings_media_url_serves(client, component) -> bool:
    """Nothing of the store is reachable under /media/ (the stored name is the hash)."""
    return client.get(f"/media/{component.stored_file.storage_name}").status_code == 200


def test_a_disguised_executable_is_refused_and_the_dossier_is_unchanged(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    before = snapshot(dossier)
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "trinh-ket-qua"]),
        {"title": "Phiếu lý lịch tư pháp", "draft": upload("fake.pdf", EXECUTABLE)},
    )
    assert response.status_code == 200 and "không khớp với tên tệp" in response.content.decode()
    assert snapshot(dossier) == before


def test_draft_uploaded_signed_by_the_leader_and_shown_valid_then_broken_when_tampered(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    response = client.post(
        reverse("workspace:dossier-action", args=[dossier.code, "trinh-ket-qua"]),
        {
            "title": "Phiếu lý lịch tư pháp",
            "result_code": "LLTP-9",
            "draft": upload("du-thao.pdf", pdf_bytes(2, text="ket qua")),
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(dossier=dossier)
    assert proposal.draft_file.page_count == 2 and proposal.draft_name == "du-thao.pdf"

    client.force_login(world.leader)
    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    draft_url = reverse("workspace:result-file", args=[dossier.code, proposal.draft_file.sha256])
    assert draft_url in page and "Đã ký số" not in page
    assert client.get(draft_url).status_code == 200  # the leader reviews the draft in the page
    response = client.post(reverse("workspace:dossier-action", args=[dossier.code, "ky-ket-qua"]), {})
    assert response.status_code == 302
    result = DossierResult.objects.get(dossier=dossier)
    assert result.signature_state == DossierResult.Signature.VERIFIED and result.code == "LLTP-9"

    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert 'data-valid="1"' in page and "Đã ký số" in page and "nguyên vẹn" in page
    assert "UBND tỉnh" in page and "DEMO" in page  # signer, organisation, the demo certificate said so
    tracking_url = reverse("public:track", args=[tracking.token_for(dossier.code)])
    public = Client().get(tracking_url).content.decode()
    assert 'id="signed-results"' in public and 'data-valid="1"' in public and "nguyên vẹn" in public

    path = file_storage().path(result.stored_file.storage_name)
    data = bytearray(open(path, "rb").read())
    data[data.index(b"ket qua")] ^= 0x01  # a byte flipped in the signed content
    open(path, "wb").write(bytes(data))
    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert 'data-valid="1"' not in page and "bị phá vỡ" in page and "Đã ký số<" not in page
    public = Client().get(tracking_url).content.decode()
    assert 'data-valid="1"' not in public and "bị phá vỡ" in public
    # A changed file is not served as if it were the signed result.
    assert (
        client.get(reverse("workspace:result-file", args=[dossier.code, result.stored_file.sha256])).status_code == 404
    )


def test_approval_without_a_certificate_changes_nothing(client, world, settings):
    dossier = world.processing(consulted=False)
    from motcua.dossiers import services

    services.propose_result(dossier, title="KQ", draft=upload("kq.pdf", pdf_bytes()), actor=world.specialist)
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.PRODUCTION = True  # no demo certificate either
    before = snapshot(dossier)
    client.force_login(world.leader)
    response = client.post(reverse("workspace:dossier-action", args=[dossier.code, "ky-ket-qua"]), {}, follow=True)
    assert "Chưa cấu hình chứng thư số" in response.content.decode()
    assert snapshot(dossier) == before


def test_a_leader_gets_a_signed_form_others_do_not(client, world):
    """The same signing service signs the TT 03/2025 forms (here the receipt, Mẫu 01)."""
    from motcua.files import signing

    dossier = world.processing(consulted=False)
    url = reverse("workspace:dossier-form", args=[dossier.code, "receipt"]) + "?ky-so=1"
    client.force_login(world.leader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert signing.validate_pdf(response.content).valid
    client.force_login(world.desk)  # may print the form, not sign it
    assert client.get(url).status_code == 403
    assert client.get(url.split("?")[0]).status_code == 200
