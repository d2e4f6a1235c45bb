"""Issue #10 item 11: "Để lãnh đạo phân công" hands a dossier to the leader's phân công screen, not to no one.

"Việc của tôi" shows only what is mine; the unit's unassigned dossiers are a separate list, where the
leader assigns them and sees each specialist's workload.
"""

import re

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from tests.factories import vn
from tests.workspace import processing_fixtures
from tests.workspace.processing_fixtures import RECEIVED_AT

world = processing_fixtures.world

pytestmark = pytest.mark.django_db


def codes(html, row_class):
    return re.findall(rf'class="{row_class}" data-code="([^"]+)"', html)


def unassigned_dossier(world):
    dossier = world.received()
    services.start_processing(dossier, assignee=None, actor=world.desk, at=RECEIVED_AT.replace(minute=30))
    dossier.refresh_from_db()
    assert dossier.current_assignee_id is None
    return dossier


def test_my_queue_shows_only_mine_and_the_unassigned_are_listed_apart(client, world):
    waiting = unassigned_dossier(world)
    mine = world.processing(consulted=False)  # assigned to chuyenvien
    theirs = world.processing(consulted=False)
    services.transfer(theirs, assignee=world.specialist2, actor=world.leader, at=vn(2026, 3, 3, 9))
    client.force_login(world.specialist)
    queue = client.get(reverse("workspace:queue")).content.decode()
    assert codes(queue, "queue-row") == [mine.code]
    assert "1 hồ sơ của đơn vị chưa phân công" in queue
    listed = client.get(reverse("workspace:assignments")).content.decode()
    assert codes(listed, "unassigned-row") == [waiting.code]
    assert 'name="assignee"' not in listed  # specialists see the list; leaders assign


def test_the_leader_assigns_from_the_list_seeing_each_specialists_workload(client, world):
    waiting = unassigned_dossier(world)
    world.processing(consulted=False)  # one open dossier held by chuyenvien
    client.force_login(world.leader)
    page = client.get(reverse("workspace:assignments")).content.decode()
    assert codes(page, "unassigned-row") == [waiting.code]
    loads = dict(re.findall(r'data-user="([^"]+)">\s*<td>[^<]*</td>\s*<td class="text-end">(\d+)</td>', page))
    assert loads == {"chuyenvien": "1", "chuyenvien2": "0"}
    response = client.post(reverse("workspace:assign", args=[waiting.code]), {"assignee": world.specialist2.pk})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.current_assignee == world.specialist2
    event = DossierEvent.objects.filter(dossier=waiting).latest("id")
    assert event.data["to_assignee"] == "Đỗ Thị Lan" and event.reason == "Lãnh đạo phân công xử lý"
    assert codes(client.get(reverse("workspace:assignments")).content.decode(), "unassigned-row") == []


def test_only_a_leader_of_the_unit_assigns_and_only_to_the_unit(client, world):
    waiting = unassigned_dossier(world)
    client.force_login(world.specialist)
    assert (
        client.post(reverse("workspace:assign", args=[waiting.code]), {"assignee": world.specialist.pk}).status_code
        == 403
    )
    client.force_login(world.leader)
    client.post(reverse("workspace:assign", args=[waiting.code]), {"assignee": world.outsider.pk})
    assert Dossier.objects.get(pk=waiting.pk).current_assignee_id is None
