"""The fake LGSP adapter (portal-sync.md §1), driven over real HTTP on 127.0.0.1. No database."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from motcua.nationalportal.fake import (
    DOSSIER_FIELDS,
    FAULT_KINDS,
    PROGRESS_FIELDS,
    FakePortal,
    example_dossier,
    example_progress,
    validate_dossier,
    validate_progress,
)

MOTCUA = Path(sys.executable).with_name("motcua")
A, B = "H44.01-261204-0001", "H44.01-261204-0002"
HTTP_ERRORS = (OSError, http.client.HTTPException)  # refused, reset, timed out, dropped


def post(url: str, body, timeout: float = 5.0) -> tuple[int, dict | None]:
    """POST JSON (or raw bytes); (HTTP status, JSON answer or None)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        content = error.read()
        try:
            return error.code, json.loads(content)
        except ValueError:
            return error.code, None


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


class Client:
    """The smallest client of §1.2, to drive the fake."""

    def __init__(self, url: str, madonvi: str = "H44"):
        self.url, self.madonvi = url, madonvi
        self.session = self.login()

    def login(self, username: str = "motcua", password: str = "motcua") -> str | None:
        _, answer = post(f"{self.url}/auth", {"username": username, "password": password})
        return answer.get("session")

    def call(self, service: str, timeout: float = 5.0, **fields) -> tuple[int, dict | None]:
        body = {"session": self.session, "madonvi": self.madonvi, "service": service, **fields}
        return post(f"{self.url}/service", body, timeout=timeout)

    def sync(self, *dossiers: dict, updating: bool = False, **kwargs) -> tuple[int, dict | None]:
        return self.call("DongBoHoSoMC", isUpdating=str(updating), data=list(dossiers), **kwargs)

    def progress(self, *items: dict, **kwargs) -> tuple[int, dict | None]:
        return self.call("CapNhatTienDoHoSoMC", data=list(items), **kwargs)

    def lookup(self, code: str) -> list:
        status, answer = self.call("TraCuuHoSo", mahoso=code)
        assert (status, answer["error_code"]) == (200, "00")
        return answer["result"]


def code_of(result: tuple[int, dict | None]) -> str | None:
    status, answer = result
    assert status == 200, status
    return answer["error_code"]


@pytest.fixture
def portal():
    with FakePortal() as running:
        yield running


@pytest.fixture
def client(portal):
    return Client(portal.url)


def wait_until(condition, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# --- Log-in and sessions --------------------------------------------------------------------


def test_auth_gives_a_session_and_refuses_wrong_credentials(portal):
    status, answer = post(f"{portal.url}/auth", {"username": "motcua", "password": "motcua"})
    assert status == 200 and answer["error_code"] == "00" and len(answer["session"]) >= 16
    assert post(f"{portal.url}/auth", {"username": "motcua", "password": "x"})[1]["error_code"] == "01"
    assert post(f"{portal.url}/auth", {"username": "motcua"})[1]["error_code"] == "02"
    assert portal.calls["auth"] == 3
    assert portal.answers["auth"] == {"00": 1, "01": 1, "02": 1}


def test_configured_credentials_and_unit():
    with FakePortal(madonvi="H01", username="lgsp", password="bí mật") as portal:
        client = Client(portal.url, madonvi="H01")
        assert client.session is None  # the default account is refused
        client.session = client.login("lgsp", "bí mật")
        assert client.lookup(A) == []
        client.madonvi = "H44"
        status, answer = client.call("TraCuuHoSo", mahoso=A)
        assert answer["error_code"] == "02" and "madonvi" in answer["message"]


def test_unknown_session_answers_01(client):
    client.session = "not-a-session"
    assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "01"


def test_sessions_expire_after_their_ttl():
    with FakePortal(session_ttl=0.2) as portal:
        client = Client(portal.url)
        assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "00"
        time.sleep(0.3)
        assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "01"
        client.session = client.login()
        assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "00"


def test_sessions_expire_on_demand(portal, client):
    portal.expire_sessions()
    assert code_of(client.sync(example_dossier(A))) == "01"
    assert portal.dossier(A) is None


# --- DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo -------------------------------------------


def test_create_replace_and_their_conflicts(portal, client):
    assert code_of(client.sync(example_dossier(A), example_dossier(B))) == "00"
    assert set(portal.dossiers()) == {A, B}

    status, answer = client.sync(example_dossier(A))
    assert answer["error_code"] == "03" and answer["message"].startswith(f"MaHoSo {A}:")

    replaced = example_dossier(A, TrangThaiHoSo="4", TaiLieuNop=[], NgayTra="20261210100000")
    assert code_of(client.sync(replaced, updating=True)) == "00"
    stored = portal.dossier(A)
    assert stored == {**replaced, "TienDo": []}  # the whole object replaced

    new = "H44.01-261204-0003"
    status, answer = client.sync(example_dossier(B, TrangThaiHoSo="5"), example_dossier(new), updating=True)
    assert answer["error_code"] == "04" and answer["message"].startswith(f"MaHoSo {new}:")
    assert portal.dossier(B)["TrangThaiHoSo"] == "2" and portal.dossier(new) is None
    assert code_of(client.sync(example_dossier(new))) == "00"


def test_a_conflict_names_every_clashing_dossier(client):
    assert code_of(client.sync(example_dossier(A), example_dossier(B))) == "00"
    _, answer = client.sync(example_dossier("H44.01-261204-0009"), example_dossier(A), example_dossier(B))
    assert answer["error_code"] == "03"
    assert answer["message"].startswith(f"MaHoSo {A}:") and B in answer["message"]


def test_progress_items_are_appended_even_twice(portal, client):
    assert code_of(client.sync(example_dossier(A))) == "00"
    received = example_progress(A, "2", "20261204080000")
    handed = example_progress(A, "3", "20261204093000", NoiDungXuLy="Chuyển phòng chuyên môn")
    assert code_of(client.progress(received, handed)) == "00"
    assert code_of(client.progress(handed)) == "00"  # not idempotent: stored a second time
    assert portal.dossier(A)["TienDo"] == [received, handed, handed]
    # A replaced dossier keeps its progress list.
    assert code_of(client.sync(example_dossier(A, TrangThaiHoSo="3"), updating=True)) == "00"
    assert len(portal.dossier(A)["TienDo"]) == 3


def test_lookup_returns_the_dossier_with_its_progress(client):
    assert client.lookup(A) == []
    dossier, item = example_dossier(A), example_progress(A)
    client.sync(dossier)
    client.progress(item)
    assert client.lookup(A) == [{**dossier, "TienDo": [item]}]


def test_example_objects_are_valid_and_complete():
    validate_dossier(example_dossier())
    validate_progress(example_progress())
    assert tuple(example_dossier()) == DOSSIER_FIELDS
    assert tuple(example_progress()) == PROGRESS_FIELDS


# --- Strict validation ----------------------------------------------------------------------


def _without(key: str) -> dict:
    dossier = example_dossier(B)
    del dossier[key]
    return dossier


INVALID_DOSSIERS = {
    "iso date": (example_dossier(B, NgayTiepNhan="2026-12-04 08:00:00"), "NgayTiepNhan"),
    "impossible date": (example_dossier(B, NgayHenTra="20260231080000"), "NgayHenTra"),
    "missing key": (_without("MaCSDL"), "MaCSDL"),
    "unknown key": (example_dossier(B, NgayDongBo="20261204080000"), "NgayDongBo"),
    "number": (example_dossier(B, TrangThaiHoSo=2), "TrangThaiHoSo"),
    "null": (example_dossier(B, Email=None), "Email"),
    "status": (example_dossier(B, TrangThaiHoSo="11"), "TrangThaiHoSo"),
    "channel": (example_dossier(B, KenhThucHien="4"), "KenhThucHien"),
    "empty unit": (example_dossier(B, DonViXuLy=""), "DonViXuLy"),
    "fee amount": (
        example_dossier(B, DanhSachLePhi=[{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí", "Gia": "75.000"}]),
        "Gia",
    ),
    "nested number": (
        example_dossier(
            B,
            TaiLieuNop=[{"MaThanhPhanHoSo": "TP1", "TenTepDinhKem": "a.pdf", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": "0"}],
        ),
        "DuocSoHoa",
    ),
    "nested unknown key": (
        example_dossier(
            B, DanhSachGiayToKetQua=[{"TenGiayTo": "GP", "GiayToId": "1", "DuongDanTepTinKetQua": "", "Extra": ""}]
        ),
        "Extra",
    ),
    "list not a list": (example_dossier(B, DanhSachHoSoBoSung={}), "DanhSachHoSoBoSung"),
    "code too long": (example_dossier("X" * 65), "MaHoSo"),
}


@pytest.mark.parametrize("case", INVALID_DOSSIERS)
def test_an_invalid_dossier_refuses_its_whole_batch(portal, client, case):
    bad, field = INVALID_DOSSIERS[case]
    status, answer = client.sync(example_dossier(A), bad)
    assert answer["error_code"] == "02"
    assert answer["message"].startswith(f"MaHoSo {bad['MaHoSo']}:") and field in answer["message"]
    assert portal.dossiers() == {}  # the valid dossier A was not applied either


def test_invalid_progress_items_refuse_their_batch(portal, client):
    client.sync(example_dossier(A))
    good = example_progress(A)
    for bad, words in [
        (example_progress(A, ThoiDiemXuLy=""), "ThoiDiemXuLy"),
        (example_progress(A, NgayBatDau="20261204"), "NgayBatDau"),
        (example_progress(A, TrangThai="0"), "TrangThai"),
        ({**example_progress(A), "GhiChu": ""}, "GhiChu"),
        (example_progress(B), "chưa có"),  # the portal does not hold dossier B
    ]:
        _, answer = client.progress(good, bad)
        assert answer["error_code"] == "02", bad
        assert answer["message"].startswith(f"MaHoSo {bad['MaHoSo']}:") and words in answer["message"]
    assert portal.dossier(A)["TienDo"] == []


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"isUpdating": False, "data": [example_dossier(A)]}, "isUpdating"),
        ({"isUpdating": "true", "data": [example_dossier(A)]}, "isUpdating"),
        ({"isUpdating": "False", "data": []}, "data"),
        ({"isUpdating": "False", "data": [example_dossier(f"H44-{n}") for n in range(51)]}, "50"),
        ({"isUpdating": "False"}, "data"),
        ({"isUpdating": "False", "data": [example_dossier(A), example_dossier(A)]}, A),
        ({"isUpdating": "False", "data": [example_dossier(A)], "extra": "1"}, "extra"),
        ({"isUpdating": "False", "data": ["not an object"]}, "data[0]"),
    ],
)
def test_malformed_sync_calls_answer_02(portal, client, fields, words):
    _, answer = client.call("DongBoHoSoMC", **fields)
    assert answer["error_code"] == "02" and words in answer["message"]
    assert portal.dossiers() == {}


def test_malformed_requests_answer_02(portal, client):
    assert code_of(client.call("XoaHoSo")) == "02"
    assert code_of(client.call("TraCuuHoSo")) == "02"  # no mahoso
    assert code_of(post(f"{portal.url}/service", b"{not json")) == "02"
    assert code_of(post(f"{portal.url}/service", b'{"a": NaN}')) == "02"
    assert code_of(post(f"{portal.url}/service", b"[]")) == "02"
    assert code_of(post(f"{portal.url}/auth", b"\xff")) == "02"
    assert post(f"{portal.url}/nowhere", {})[0] == 404


# --- Faults ---------------------------------------------------------------------------------


def test_error99_and_http503_apply_nothing(portal, client):
    portal.inject("error99")
    portal.inject("http503", service="DongBoHoSoMC")
    assert code_of(client.sync(example_dossier(A))) == "99"
    assert client.sync(example_dossier(A)) == (503, None)
    assert portal.dossiers() == {}
    assert code_of(client.sync(example_dossier(A))) == "00"
    assert portal.answers["DongBoHoSoMC"] == {"99": 1, "http503": 1, "00": 1}


def test_http500_after_apply_really_applied(portal, client):
    client.sync(example_dossier(A))
    portal.inject("http500_after_apply", service="CapNhatTienDoHoSoMC")
    assert client.progress(example_progress(A)) == (500, None)
    assert len(portal.dossier(A)["TienDo"]) == 1
    assert portal.answers["CapNhatTienDoHoSoMC"] == {"http500": 1}


def test_faults_match_their_service_and_count(portal, client):
    portal.inject("error99", service="CapNhatTienDoHoSoMC", count=2)
    assert code_of(client.sync(example_dossier(A))) == "00"  # another service: untouched
    assert code_of(client.progress(example_progress(A))) == "99"
    assert code_of(client.progress(example_progress(A))) == "99"
    assert code_of(client.progress(example_progress(A))) == "00"
    assert portal.pending_faults() == []


def test_hang_after_apply_times_the_client_out_after_applying(portal, client):
    portal.inject("hang_after_apply", seconds=0.5)
    with pytest.raises(HTTP_ERRORS):
        client.sync(example_dossier(A), timeout=0.2)
    assert portal.dossier(A) is not None


def test_hang_before_apply_applies_after_the_client_gave_up(portal, client):
    portal.inject("hang_before_apply", seconds=0.4)
    with pytest.raises(HTTP_ERRORS):
        client.sync(example_dossier(A), timeout=0.1)
    assert portal.dossier(A) is None
    wait_until(lambda: portal.dossier(A) is not None)


def test_expire_sessions_fault_answers_01(portal, client):
    portal.inject("expire_sessions", service="TraCuuHoSo")
    assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "01"
    client.session = client.login()
    assert client.lookup(A) == []


@pytest.mark.parametrize("after_apply", [False, True])
def test_drop_connection(portal, client, after_apply):
    portal.inject("drop_connection", after_apply=after_apply)
    with pytest.raises(HTTP_ERRORS):
        client.sync(example_dossier(A))
    assert (portal.dossier(A) is not None) is after_apply
    assert portal.answers["DongBoHoSoMC"] == {"dropped": 1}


def test_auth_faults_only_when_asked_for(portal, client):
    portal.inject("http503", service="auth")
    portal.inject("error99")  # service calls only: log-ins are not affected
    assert post(f"{portal.url}/auth", {"username": "motcua", "password": "motcua"}) == (503, None)
    assert client.login()
    assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "99"


def test_bad_faults_are_refused(portal):
    for kwargs in (
        {"kind": "explode"},
        {"kind": "error99", "count": 0},
        {"kind": "hang_after_apply"},
        {"kind": "error99", "service": "Nope"},
    ):
        with pytest.raises(ValueError):
            portal.inject(**kwargs)
    assert portal.pending_faults() == []
    assert set(FAULT_KINDS) >= {"error99", "http503", "drop_connection"}


def _codes_under_fail_rate(seed: int) -> list[str]:
    with FakePortal(fail_rate=0.5, seed=seed) as portal:
        client = Client(portal.url)
        return [code_of(client.call("TraCuuHoSo", mahoso=A)) for _ in range(30)]


def test_fail_rate_is_reproducible_with_a_seed():
    first, again, other = (_codes_under_fail_rate(7), _codes_under_fail_rate(7), _codes_under_fail_rate(8))
    assert first == again and first != other
    assert set(first) == {"00", "99"}


def test_fail_rate_one_applies_nothing_and_spares_log_ins():
    with FakePortal(fail_rate=1.0) as portal:
        client = Client(portal.url)
        assert client.session
        assert code_of(client.sync(example_dossier(A))) == "99"
        assert portal.dossiers() == {}


def test_latency_delays_every_call():
    with FakePortal(latency=0.15) as portal:
        started = time.monotonic()
        Client(portal.url)
        assert time.monotonic() - started >= 0.15


def test_constructor_refuses_bad_settings():
    with pytest.raises(ValueError):
        FakePortal(fail_rate=1.5)
    with pytest.raises(ValueError):
        FakePortal(session_ttl=-1)


# --- Concurrency, restarts, persistence -----------------------------------------------------


def test_concurrent_batches_are_all_applied(portal, client):
    client.sync(example_dossier(A))

    def send(worker: int) -> None:
        for n in range(5):
            item = example_progress(A, at=f"202612040{worker}{n}000")
            assert code_of(client.progress(item)) == "00"

    threads = [threading.Thread(target=send, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(portal.dossier(A)["TienDo"]) == 40
    assert portal.calls["CapNhatTienDoHoSoMC"] == 40


def test_stopped_portal_refuses_connections_and_restarts_on_its_port(portal, client):
    client.sync(example_dossier(A))
    port = portal.port
    portal.stop()
    with pytest.raises(HTTP_ERRORS):
        client.lookup(A)
    portal.start(port=port)
    assert client.lookup(A)[0]["MaHoSo"] == A  # same state, same session


def test_stop_ends_a_hanging_call(portal, client):
    portal.inject("hang_after_apply", seconds=30)
    outcome = []

    def call() -> None:
        try:
            outcome.append(client.sync(example_dossier(A)))
        except HTTP_ERRORS as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(lambda: portal.dossier(A) is not None)
    started = time.monotonic()
    portal.stop()
    caller.join(timeout=3)
    assert time.monotonic() - started < 2
    assert len(outcome) == 1 and isinstance(outcome[0], HTTP_ERRORS)  # dropped, never answered


def test_state_file_survives_a_restart(tmp_path):
    state = tmp_path / "portal" / "state.jsonl"
    dossier, item = example_dossier(A), example_progress(A)
    with FakePortal(state_file=state) as first:
        client = Client(first.url)
        client.sync(dossier, example_dossier(B))
        client.progress(item, item)
        client.sync(example_dossier(B, TrangThaiHoSo="6"), updating=True)
    with open(state, "a", encoding="utf-8") as journal:
        journal.write('{"op": "progress", "data": [{"MaHo')  # killed mid-write

    with FakePortal(state_file=state) as second:
        assert second.dossier(A) == {**dossier, "TienDo": [item, item]}
        assert second.dossier(B)["TrangThaiHoSo"] == "6"
        client = Client(second.url)  # sessions are not kept
        assert code_of(client.sync(example_dossier(A))) == "03"
        client.progress(example_progress(B))
    with FakePortal(state_file=state) as third:
        assert len(third.dossier(B)["TienDo"]) == 1
        third.reset()
    assert FakePortal(state_file=state).dossiers() == {}


# --- Control endpoints ----------------------------------------------------------------------


def test_control_endpoints(portal, client):
    base = f"{portal.url}/_fake"
    assert post(
        f"{base}/faults", [{"kind": "error99", "service": "DongBoHoSoMC"}, {"kind": "http500_after_apply", "count": 1}]
    ) == (200, {"error_code": "00"})
    assert post(f"{base}/faults", {"kind": "nope"})[0] == 400
    assert [fault["kind"] for fault in get(f"{base}/state")["faults"]] == ["error99", "http500_after_apply"]

    assert code_of(client.sync(example_dossier(A))) == "99"
    assert client.sync(example_dossier(A)) == (500, None)
    state = get(f"{base}/state")
    assert state["dossiers"][A]["TienDo"] == [] and state["dossier_count"] == 1
    assert state["calls"]["DongBoHoSoMC"] == 2
    assert state["answers"]["DongBoHoSoMC"] == {"99": 1, "http500": 1}
    assert state["history"][-2:] == [["DongBoHoSoMC", "99"], ["DongBoHoSoMC", "http500"]]
    assert get(f"{base}/state?mahoso=nothing")["dossiers"] == {}

    assert code_of(post(f"{base}/expire-sessions", {})) == "00"
    assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "01"

    assert code_of(post(f"{base}/config", {"fail_rate": 1})) == "00"
    client.session = client.login()
    assert code_of(client.call("TraCuuHoSo", mahoso=A)) == "99"
    assert post(f"{base}/config", {"fail_rate": 3})[0] == 400
    assert code_of(post(f"{base}/config", {"fail_rate": 0})) == "00"

    assert code_of(post(f"{base}/reset", {})) == "00"
    state = get(f"{base}/state")
    assert state["dossiers"] == {} and state["calls"] == {} and state["sessions"] == 0


# --- The command ----------------------------------------------------------------------------


def _command_env(tmp_path) -> dict:
    return {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "motcua.settings"}


def test_command_refuses_bad_options_with_exit_2(tmp_path):
    done = subprocess.run(
        [str(MOTCUA), "fake-portal", "--fail-rate", "2"],
        capture_output=True,
        text=True,
        env=_command_env(tmp_path),
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Lỗi: ") and "--fail-rate" in done.stderr


@pytest.mark.parametrize("options", [{"session_ttl": -1}, {"latency": -0.5}, {"port": 70000}])
def test_command_checks_its_options_in_process(options, capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exited:
        call_command("fake_portal", **options)
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith("Lỗi: ")


def test_command_serves_until_terminated(tmp_path):
    with subprocess.Popen(
        [str(MOTCUA), "fake-portal", "--port", "0", "--state-file", str(tmp_path / "s.jsonl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_command_env(tmp_path),
    ) as process:
        try:
            url = process.stdout.readline().split("tại ", 1)[1].split()[0]
            client = Client(url)
            assert code_of(client.sync(example_dossier(A))) == "00"
        finally:
            process.terminate()
        rest, _ = process.communicate(timeout=10)
    assert process.returncode == 0 and "Đã dừng" in rest
    assert A in (tmp_path / "s.jsonl").read_text(encoding="utf-8")
