"""Issue #10 item 10: a state-changing form sent twice (double click, reload) is recorded once.

Every rendered form carries a one-time token (``form_token``); the token and the service's changes are
written in one transaction, so the second POST finds the token taken and changes nothing.
"""

import re

import pytest
from django.urls import reverse

from motcua.core.models import FormSubmission
from motcua.dossiers.models import DossierEvent
from tests.workspace import processing_fixtures

world = processing_fixtures.world

pytestmark = pytest.mark.django_db


def token_of(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the form has no one-time token"
    return found.group(1)


def test_a_double_click_on_ghi_y_kien_tham_dinh_records_one_opinion(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "tham-dinh"])
    token = token_of(client.get(url).content.decode())
    first = client.post(url, {"opinion": "Hồ sơ đủ điều kiện.", "form_token": token})
    second = client.post(url, {"opinion": "Hồ sơ đủ điều kiện.", "form_token": token}, follow=True)
    assert first.status_code == 302
    assert DossierEvent.objects.filter(dossier=dossier, action="appraise").count() == 1
    # The repeat lands where the first one did and says why nothing more was recorded.
    assert second.redirect_chain[0][0] == first["Location"]
    assert "đã được ghi nhận từ lần gửi trước" in second.content.decode()


def test_each_rendering_has_its_own_token_and_a_refused_send_can_be_corrected(client, world):
    dossier = world.processing(consulted=False)
    client.force_login(world.specialist)
    url = reverse("workspace:dossier-action", args=[dossier.code, "tham-dinh"])
    first, second = token_of(client.get(url).content.decode()), token_of(client.get(url).content.decode())
    assert first != second
    invalid = client.post(url, {"opinion": "", "form_token": first})  # required field missing: re-shown
    assert invalid.status_code == 200 and not FormSubmission.objects.filter(token=first).exists()
    client.post(url, {"opinion": "Đủ điều kiện.", "form_token": first})
    assert DossierEvent.objects.filter(dossier=dossier, action="appraise").count() == 1


def test_desk_forms_carry_a_token(client, world):
    dossier = world.received()
    client.force_login(world.desk)
    html = client.get(reverse("workspace:desk-received", args=[dossier.code])).content.decode()
    token = token_of(html)
    url = reverse("workspace:desk-start", args=[dossier.code])
    client.post(url, {"assignee": world.specialist.pk, "form_token": token})
    client.post(url, {"assignee": world.specialist.pk, "form_token": token})
    assert DossierEvent.objects.filter(dossier=dossier, action="start_processing").count() == 1


def test_buttons_show_progress_from_a_static_script():
    from django.contrib.staticfiles import finders

    script = open(finders.find("web/motcua.js"), encoding="utf-8").read()
    assert "Đang xử lý…" in script and "data-busy" in script
