"""Relays side by side and a relay killed with SIGKILL mid-call: committed data, real processes and threads."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, connections

from motcua.dossiers import services
from motcua.nationalportal.client import PortalClient
from motcua.nationalportal.relay import pending_exists
from tests.factories import vn
from tests.nationalportal.conftest import assert_in_sync, make_relay, received

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}"
        f"/{settings['NAME']}"
    )


def relay_process(portal, tmp_path, *args, timeout="1"):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_PORTAL_URL": portal.url,
        "MOTCUA_PORTAL_USERNAME": "motcua",
        "MOTCUA_PORTAL_PASSWORD": "motcua",
        "MOTCUA_PORTAL_MADONVI": "H99",
        "MOTCUA_PORTAL_TIMEOUT": timeout,
        "MOTCUA_LIVE_766": "0",
        "MOTCUA_LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from motcua.cli import main; main()", "portal", "relay", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_relay_killed_mid_call_then_restarted(office, portal, tmp_path):
    dossiers = received(office, n=6)
    # The portal applies the progress items, then hangs: the relay is killed while it waits for the answer.
    portal.inject("hang_after_apply", service="CapNhatTienDoHoSoMC", seconds=3)
    process = relay_process(portal, tmp_path, "--max-seconds", "60")
    deadline = time.monotonic() + 30
    while portal.calls["CapNhatTienDoHoSoMC"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert portal.calls["CapNhatTienDoHoSoMC"] == 1, process.communicate(timeout=5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    applied = portal.dossier(dossiers[0].code)["TienDo"]
    assert applied, "the killed call was applied on the portal"
    # A new relay takes over once the dead one's lease expires, and looks before resending.
    restarted = relay_process(portal, tmp_path, "--until-empty", "--max-seconds", "40")
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err
    assert portal.calls["TraCuuHoSo"] >= 1
    assert_in_sync(portal, dossiers)


def test_dead_letters_make_relay_until_empty_exit_1(office, portal, tmp_path):
    (dossier,) = received(office, n=1)
    from motcua.nationalportal.models import PortalDossier

    PortalDossier.objects.filter(pk=dossier.pk).update(blocked=True, last_error="02: MaHoSo ...")
    process = relay_process(portal, tmp_path, "--until-empty", "--max-seconds", "20")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, (out, err)
    assert "từ chối" in err


def test_two_relays_at_once_on_a_hostile_portal(office, portal):
    dossiers = received(office, n=40)
    portal.configure(fail_rate=0.2, seed=7, latency=0.005)
    portal.inject("http500_after_apply", service="CapNhatTienDoHoSoMC", count=2)
    portal.inject("hang_after_apply", service="DongBoHoSoMC", seconds=0.8)
    errors = []

    def run():
        client = PortalClient(portal.url, username="motcua", password="motcua", madonvi="H99", timeout=0.5)
        try:
            make_relay(client, round_size=7).run(until_empty=True, max_seconds=40, idle_seconds=0.01)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    # Changes keep coming while both relays run.
    for dossier in dossiers[:10]:
        services.pause(dossier, reason="Chờ xác minh", at=vn(2026, 3, 2, 15))
    for thread in threads:
        thread.join(60)
    assert not errors
    portal.configure(fail_rate=0.0)
    client = PortalClient(portal.url, username="motcua", password="motcua", madonvi="H99", timeout=0.5)
    make_relay(client).run(until_empty=True, max_seconds=20, idle_seconds=0.01)
    client.close()
    assert not pending_exists()
    for dossier in dossiers:
        dossier.refresh_from_db()
    assert_in_sync(portal, dossiers)
