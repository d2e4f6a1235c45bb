"""Issue #10 item 12: names without diacritics and in any case find the dossier, on SQLite and PostgreSQL; a
search by ID number on the desk lands on the tab where the dossier is."""

import re

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.search import fill_keys
from tests.workspace import desk_fixtures, processing_fixtures

world = processing_fixtures.world
desk_world = desk_fixtures.desk_world

pytestmark = pytest.mark.django_db


def found(html):
    return re.findall(r'href="/can-bo/ho-so/([^/]+)/"', html)


@pytest.mark.parametrize("typed", ["nguyen thi hong nhung", "NGUYỄN THỊ", "hong nhung", "Nguyen Thi Hồng"])
def test_names_are_found_without_diacritics_and_in_any_case(client, world, typed):
    wanted = world.processing(consulted=False, applicant_name="Nguyễn Thị Hồng Nhung")
    world.processing(consulted=False, applicant_name="Đặng Văn Đức")
    client.force_login(world.specialist)
    html = client.get(reverse("workspace:search"), {"q": typed}).content.decode()
    assert set(found(html)) == {wanted.code}


def test_d_with_stroke_folds_to_d(client, world):
    wanted = world.processing(consulted=False, applicant_name="Đặng Văn Đức")
    client.force_login(world.specialist)
    assert set(found(client.get(reverse("workspace:search"), {"q": "dang van duc"}).content.decode())) == {wanted.code}


def test_bulk_written_dossiers_are_folded_after_import(world):
    dossier = world.processing(consulted=False, applicant_name="Lê Thị Thu Hà")
    Dossier.objects.filter(pk=dossier.pk).update(applicant_key="")  # as the bulk writer leaves it
    assert fill_keys() == 1
    assert Dossier.objects.get(pk=dossier.pk).applicant_key == "le thi thu ha"


def test_a_search_by_id_number_on_the_desk_lands_on_the_right_tab(client, desk_world):
    done = desk_world.done()  # a result waiting to be returned: the "results" tab, not "pending"
    client.force_login(desk_world.desk)
    response = client.get(reverse("workspace:desk"), {"q": done.applicant_id_number})
    assert response.context["current"] == "results"
    assert done.code in response.content.decode()


def test_codes_by_prefix_in_any_case_and_id_numbers_exactly(client, world):
    wanted = world.processing(consulted=False, applicant_id_number="079188000111")
    other = world.processing(consulted=False, applicant_id_number="079188000222")
    client.force_login(world.specialist)
    by_code = found(client.get(reverse("workspace:search"), {"q": wanted.code.lower()}).content.decode())
    assert set(by_code) == {wanted.code}
    by_id = found(client.get(reverse("workspace:search"), {"q": "079188000111"}).content.decode())
    assert set(by_id) == {wanted.code} and other.code not in by_id
