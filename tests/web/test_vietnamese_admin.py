"""Issue #10 item 14: Vietnamese everywhere — no status numbers in messages, no English in the admin, audit
entries named in Vietnamese; the admin cannot edit a dossier's instants, units or assignee; a desk officer
is not offered an admin they cannot use."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.core.errors import TransitionError
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, Status
from tests.workspace import processing_fixtures

world = processing_fixtures.world

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def test_a_refused_transition_names_the_status_not_its_number():
    with pytest.raises(TransitionError) as refused:
        lifecycle.check(Status.SUPPLEMENT_REQUESTED, "finish")
    assert "trạng thái 5" not in refused.value.message and "«Yêu cầu bổ sung" in refused.value.message


def test_the_admin_and_its_audit_log_speak_vietnamese(client, world):
    dossier = world.processing(consulted=False)
    root = get_user_model().objects.create_superuser("root", "root@example.vn", None)
    client.force_login(root)
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).first()
    pages = [
        reverse("admin:index"),
        reverse("admin:auditlog_logentry_changelist"),
        reverse("admin:auditlog_logentry_change", args=[entry.pk]),
        reverse("admin:dossiers_dossier_change", args=[dossier.pk]),
    ]
    for url in pages:
        text = visible_text(client.get(url).content.decode())
        for english in (
            "Skip to main content",
            "Audit log",
            "AUDIT LOG",
            " changes: ",
            "Add link",
            "Change or view list link",
        ):
            assert english not in text, (url, english)
    changelist = visible_text(client.get(pages[1]).content.decode())
    assert "Nhật ký thay đổi" in changelist and " thay đổi: " in changelist
    summaries = [line for line in changelist.splitlines() if " thay đổi: " in line]
    # Fields by their Vietnamese names (PostgreSQL's jsonb orders them its own way).
    assert any(
        {"Trạng thái", "Bước hiện tại", "Người đang xử lý"} <= set(line.split(": ", 1)[1].split(", "))
        for line in summaries
    ), summaries


def test_the_admin_cannot_change_a_dossiers_instants_units_or_assignee(client, world):
    dossier = world.processing(consulted=False)
    root = get_user_model().objects.create_superuser("root", "root@example.vn", None)
    client.force_login(root)
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).content.decode()
    for field in (
        "handling_unit",
        "receiving_unit",
        "current_assignee",
        "due_at",
        "received_at",
        "step_due_at",
        "current_step",
    ):
        assert f'name="{field}"' not in page, field
    before = Dossier.objects.filter(pk=dossier.pk).values("handling_unit_id", "current_assignee_id", "due_at").get()
    client.post(
        reverse("admin:dossiers_dossier_change", args=[dossier.pk]),
        {
            "handling_unit": world.other_unit.pk,
            "current_assignee": world.outsider.pk,
            "due_at_0": "01/01/2030",
            "due_at_1": "08:00:00",
            "applicant_name": dossier.applicant_name,
        },
    )
    after = Dossier.objects.filter(pk=dossier.pk).values("handling_unit_id", "current_assignee_id", "due_at").get()
    assert after == before


def test_a_desk_officer_marked_staff_is_not_offered_the_admin(client, world):
    world.desk.is_staff = True
    world.desk.save()
    client.force_login(world.desk)
    page = client.get(reverse("workspace:desk")).content.decode()
    assert reverse("admin:index") not in page
    root = get_user_model().objects.create_superuser("root", "root@example.vn", None)
    client.force_login(root)
    assert reverse("admin:index") in client.get(reverse("workspace:search")).content.decode()
