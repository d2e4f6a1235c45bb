"""Issue #10 item 15: the return records who collected the result and prints the return slip; a component
handed in again after a supplement request is updated, not listed twice; a bad date is said, not ignored."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.documents import services as documents
from motcua.dossiers.models import Dossier, DossierComponent, ResultHandover, Status
from tests.pdfs import pdf_bytes
from tests.workspace import desk_fixtures, processing_fixtures

desk_world = desk_fixtures.desk_world
world = processing_fixtures.world

pytestmark = pytest.mark.django_db
DESK = "Trực tiếp tại Bộ phận Một cửa"


def test_the_result_is_returned_to_a_named_person_with_an_id_number_and_the_slip_prints(client, desk_world):
    client.force_login(desk_world.desk)
    dossier = desk_world.done()
    url = reverse("workspace:desk-return", args=[dossier.code])
    page = client.get(url).content.decode()
    assert 'value="Trần Thị Bình"' in page and 'value="001203009999"' in page  # the applicant, by default
    missing = client.post(url, {"delivery_method": DESK, "collector_name": "", "collector_id_number": ""})
    assert missing.status_code == 200 and "Phải ghi họ tên người nhận kết quả." in missing.content.decode()
    proxy = client.post(
        url,
        {
            "delivery_method": DESK,
            "collector_name": "Trần Văn Cường",
            "collector_id_number": "001090001111",
            "authorised": "on",
            "authorisation": "",
        },
    )
    assert proxy.status_code == 200 and "giấy ủy quyền" in proxy.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DONE
    response = client.post(
        url,
        {
            "delivery_method": DESK,
            "collector_name": "Trần Văn Cường",
            "collector_id_number": "001090001111",
            "authorised": "on",
            "authorisation": "Giấy ủy quyền số 15/UQ ngày 01/12/2026",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("workspace:dossier", args=[dossier.code])
    )
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.collector_name, handover.collector_id_number, handover.authorised) == (
        "Trần Văn Cường",
        "001090001111",
        True,
    )
    assert handover.handed_by == desk_world.desk and Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
    page = client.get(reverse("workspace:dossier", args=[dossier.code])).content.decode()
    assert reverse("workspace:dossier-form", args=[dossier.code, "return"]) in page
    html = documents.render_html("return", Dossier.objects.get(pk=dossier.pk))
    assert "PHIẾU TRẢ KẾT QUẢ" in html and "Trần Văn Cường" in html and "15/UQ" in html
    pdf = client.get(reverse("workspace:dossier-form", args=[dossier.code, "return"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_by_post_no_collector_is_asked(client, desk_world):
    client.force_login(desk_world.desk)
    dossier = desk_world.done()
    response = client.post(
        reverse("workspace:desk-return", args=[dossier.code]), {"delivery_method": "Bưu chính công ích"}
    )
    assert response.status_code == 302
    assert ResultHandover.objects.get(dossier=dossier).collector_name == ""


def test_a_component_handed_in_after_a_supplement_is_updated_not_listed_twice(client, desk_world):
    client.force_login(desk_world.desk)
    tp01 = desk_world.components[0]
    first = SimpleUploadedFile("to-khai.pdf", pdf_bytes(text="first"), content_type="application/pdf")
    client.post(
        reverse("workspace:desk-receive"),
        desk_world.applicant(outcome="supplement", **desk_world.ticks(0), **{f"f{tp01.pk}": first}),
    )
    dossier = Dossier.objects.get()
    corrected_bytes = pdf_bytes(text="corrected")  # a real PDF: uploads are checked by content
    corrected = SimpleUploadedFile("to-khai-sua.pdf", corrected_bytes, content_type="application/pdf")
    tp02 = desk_world.components[1]
    client.post(
        reverse("workspace:desk-complete-supplement", args=[dossier.code]),
        {f"c{tp01.pk}": "on", f"f{tp01.pk}": corrected, f"c{tp02.pk}": "on"},
    )
    listed = list(DossierComponent.objects.filter(dossier=dossier).values_list("component_code", flat=True))
    assert sorted(listed) == ["TP01", "TP02"]
    assert (
        DossierComponent.objects.get(dossier=dossier, component_code="TP01").file_sha256
        == hashlib.sha256(corrected_bytes).hexdigest()
    )


def test_a_search_with_a_bad_date_says_so_instead_of_listing_everything(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    response = client.get(
        reverse("workspace:search"),
        {"received_from": "31/02/2026"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="search-results",
    )
    html = response.content.decode()
    assert 'id="search-errors"' in html and "Tiếp nhận từ ngày" in html
    assert dossier.code not in html  # not the unfiltered list
