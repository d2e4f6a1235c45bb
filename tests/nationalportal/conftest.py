"""Shared fixtures: a small province, dossiers moved through the lifecycle, the fake adapter on 127.0.0.1."""

import pytest

from motcua.dossiers import services
from motcua.nationalportal.client import PortalClient
from motcua.nationalportal.fake import FakePortal
from motcua.nationalportal.relay import Relay
from tests.factories import official, procedure, province_with_department, vn, workflow


@pytest.fixture
def portal():
    fake = FakePortal(madonvi="H99", username="motcua", password="motcua")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def portal_client(portal):
    client = PortalClient(portal.url, username="motcua", password="motcua", madonvi="H99", timeout=0.5)
    yield client
    client.close()


def make_relay(client, **kwargs) -> Relay:
    kwargs.setdefault("backoff_base", 0.01)
    kwargs.setdefault("backoff_cap", 0.05)
    return Relay(client, **kwargs)


@pytest.fixture
def relay(portal_client):
    return make_relay(portal_client)


@pytest.fixture
def office():
    _province, department, _commune = province_with_department()
    proc = procedure(days=5, field_code="G01", field_name="Tư pháp")
    steps = workflow(proc)
    desk = official("motcua_desk", department, "desk_officer")
    return department, proc, steps, desk


def received(office, n=1, day=2, channel=1):
    """``n`` dossiers received on 0n/03/2026 and handed to their first step (two status changes each)."""
    department, proc, _steps, desk = office
    dossiers = []
    for i in range(n):
        at = vn(2026, 3, day, 8, 0)
        dossier = services.receive(
            procedure=proc,
            handling_unit=department,
            channel=channel,
            actor=desk,
            received_at=at.replace(minute=i % 60, second=i // 60),
            applicant={"applicant_name": f"Nguyễn Văn {i}", "applicant_id_number": "001090000001"},
        )
        services.start_processing(dossier, actor=desk, at=vn(2026, 3, day, 9, 0).replace(minute=i % 60))
        dossier.refresh_from_db()
        dossiers.append(dossier)
    return dossiers


def history(dossier) -> list[tuple[str, str]]:
    """motcua's status history as the portal's (TrangThai, ThoiDiemXuLy) pairs."""
    from motcua.nationalportal.payloads import portal_date

    return [
        (str(e.to_status), portal_date(e.occurred_at))
        for e in dossier.events.filter(to_status__isnull=False).order_by("occurred_at", "pk")
    ]


def assert_in_sync(portal, dossiers):
    """The portal holds each dossier's current state and every status-history entry exactly once, in order."""
    from motcua.nationalportal.payloads import dossier_objects

    objects = dossier_objects([d.pk for d in dossiers])
    for dossier in dossiers:
        copy = portal.dossier(dossier.code)
        assert copy is not None, f"{dossier.code} missing on the portal"
        progress = copy.pop("TienDo")
        assert copy == objects[dossier.pk]
        assert [(p["TrangThai"], p["ThoiDiemXuLy"]) for p in progress] == history(dossier)
