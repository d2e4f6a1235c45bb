"""A fake LGSP adapter to Cổng Dịch vụ công quốc gia (portal-sync.md §1), with faults on demand.

It is a real HTTP server (``http.server.ThreadingHTTPServer``, one thread per connection) that
speaks the contract of §1: ``POST {url}/auth`` and ``POST {url}/service`` with the services
``DongBoHoSoMC`` (create or replace dossiers), ``CapNhatTienDoHoSoMC`` (append progress items,
deliberately *not* idempotent) and ``TraCuuHoSo`` (read a dossier back with its ``TienDo``).
Every object is validated strictly (every scalar a string, exact key sets, real
``yyyyMMddHHmmss`` dates, enumerations); one invalid object refuses its whole batch with
``"02"`` and nothing of the batch is applied.

No Django import: the demo runs it through ``motcua fake-portal`` and the tests run it in a
thread of the pytest process::

    portal = FakePortal(madonvi="H44", username="motcua", password="motcua",
                        session_ttl=None, fail_rate=0.0, latency=0.0, seed=0, state_file=None)
    url = portal.start(host="127.0.0.1", port=0)   # background thread; "http://127.0.0.1:PORT"
    portal.inject("http500_after_apply", service="CapNhatTienDoHoSoMC", count=1)
    portal.expire_sessions()
    portal.dossier("H44.01-261204-0001")           # stored object + "TienDo", or None
    portal.dossiers()                               # {MaHoSo: object + "TienDo"}
    portal.calls["CapNhatTienDoHoSoMC"]             # calls per service ("auth" for log-ins)
    portal.answers["DongBoHoSoMC"]["03"]            # answers per service and code
    portal.stop()

``with FakePortal() as portal:`` starts it on a free port and stops it on exit.

Answers of ``02``/``03``/``04`` carry a ``message`` that starts with ``MaHoSo <code>: `` naming
the first offending object of the batch (in batch order), so a client can drop it (02) or
resend it with the other ``isUpdating`` (03/04); when the batch envelope itself is wrong the
message names the field instead.

Faults (:meth:`FakePortal.inject`) wait in a queue; each service call takes the first fault
whose ``service`` matches (``None`` matches every ``/service`` call, ``"auth"`` only log-ins)
whatever that call would otherwise answer, and a fault with ``count`` N serves N calls:

==========================  ================================================================
``error99``                 answer ``{"error_code": "99"}``, apply nothing
``http503``                 HTTP 503 without JSON, apply nothing (the portal is down)
``http500_after_apply``     apply the call fully, then HTTP 500
``hang_after_apply``        apply, then wait ``seconds`` before answering
``hang_before_apply``       wait ``seconds``, then apply and answer
``expire_sessions``         expire every session before handling the call (it answers ``01``)
``drop_connection``         close the socket without an answer, after applying when
                            ``after_apply`` is true, else before
==========================  ================================================================

Besides the queue, ``fail_rate`` R answers ``99`` to a service call with probability R (drawn
from ``random.Random(seed)``, one draw per service call, so a run is reproducible) and
``latency`` delays every call. When the queue supplies a fault, the draw is ignored.

A server running in another process is driven by control endpoints (no session needed):

- ``POST {url}/_fake/faults``: a fault ``{"kind", "service", "count", "seconds", "after_apply"}``
  or a list of them;
- ``POST {url}/_fake/config``: ``{"fail_rate", "latency", "session_ttl", "seed"}`` (any of them);
- ``POST {url}/_fake/expire-sessions``;
- ``POST {url}/_fake/reset``: forget dossiers, sessions, faults and counters;
- ``GET {url}/_fake/state[?mahoso=CODE]``: dossiers, counters, the last 1,000 calls,
  pending faults, settings.

State lives in memory. With ``state_file`` it also survives a restart: the file is a journal
(JSON Lines), each applied batch appended as one line under the state lock before the answer,
and compacted (temp file + ``os.replace``) when loaded and on reset. A journal rather than a
rewrite of the whole state per call: the demo pushes tens of thousands of dossiers, and a
rewrite per batch would grow quadratically. A torn last line (a process killed mid-write)
is skipped: that batch was never answered.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import re
import secrets
import socket
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("motcua.nationalportal")

# --- The contract's vocabulary (portal-sync.md §1.2–1.4) -------------------------------------

AUTH = "auth"
SYNC_DOSSIERS = "DongBoHoSoMC"
UPDATE_PROGRESS = "CapNhatTienDoHoSoMC"
LOOKUP_DOSSIER = "TraCuuHoSo"
SERVICES = (SYNC_DOSSIERS, UPDATE_PROGRESS, LOOKUP_DOSSIER)
MAX_BATCH = 50

OK = "00"
SESSION_INVALID = "01"
INVALID = "02"
ALREADY_HELD = "03"
NOT_HELD = "04"
TEMPORARY_FAILURE = "99"

DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, Asia/Ho_Chi_Minh
MAX_DOSSIER_CODE = 64

#: The keys of a dossier object, all required, no others (§1.3).
DOSSIER_FIELDS = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "KenhThucHien",
    "ChuHoSo",
    "LoaiDoiTuong",
    "MaDoiTuong",
    "SoDienThoai",
    "Email",
    "TrichYeuHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "NgayTra",
    "HinhThuc",
    "NgayKetThucXuLy",
    "DonViXuLy",
    "TaiLieuNop",
    "DanhSachLePhi",
    "DanhSachHoSoBoSung",
    "DanhSachGiayToKetQua",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
    "TaiKhoanDuocXacThucVoiVNeID",
    "MaCSDL",
    "MaKetQua",
)
#: Submitted components (thành phần hồ sơ), digitized or taken from the national data store.
DOCUMENT_FIELDS = ("MaThanhPhanHoSo", "TenTepDinhKem", "DuocSoHoa", "DuocLayTuKhoDMQG")
#: Fees and charges (phí, lệ phí); ``Gia`` is an amount in đồng, digits only.
FEE_FIELDS = ("MaPhiLePhi", "TenPhiLePhi", "Gia")
#: Supplements (bổ sung hồ sơ).
SUPPLEMENT_FIELDS = ("NgayBoSung", "NgayTiepNhanBoSung", "NoiDungBoSung")
#: Result papers (giấy tờ kết quả).
RESULT_FIELDS = ("TenGiayTo", "GiayToId", "DuongDanTepTinKetQua")
#: The list-valued keys of a dossier object and the keys of their items.
DOSSIER_LISTS = {
    "TaiLieuNop": DOCUMENT_FIELDS,
    "DanhSachLePhi": FEE_FIELDS,
    "DanhSachHoSoBoSung": SUPPLEMENT_FIELDS,
    "DanhSachGiayToKetQua": RESULT_FIELDS,
}
#: The keys of a progress item (tiến độ xử lý), all required, no others.
PROGRESS_FIELDS = (
    "MaHoSo",
    "NguoiXuLy",
    "ChucDanh",
    "ThoiDiemXuLy",
    "PhongBanXuLy",
    "NoiDungXuLy",
    "TrangThai",
    "NgayBatDau",
    "NgayKetThucTheoQuyDinh",
)
#: The key under which TraCuuHoSo returns a dossier's progress items.
PROGRESS_KEY = "TienDo"

STATUSES = tuple(str(n) for n in range(1, 11))  # TrangThaiHoSo 1–10 (process-rules.md §1.11)
ZERO_ONE = ("0", "1")

# What each scalar must be: None = any string, a tuple = one of these, or a rule name.
_DOSSIER_RULES: dict[str, Any] = {
    "MaHoSo": "code",
    "MaTTHC": "nonempty",
    "KenhThucHien": ("1", "2", "3"),
    "LoaiDoiTuong": ("1", "2"),
    "NgayTiepNhan": "date_or_empty",
    "NgayHenTra": "date_or_empty",
    "TrangThaiHoSo": STATUSES,
    "NgayTra": "date_or_empty",
    "HinhThuc": ZERO_ONE,
    "NgayKetThucXuLy": "date_or_empty",
    "DonViXuLy": "nonempty",
    "DuocThanhToanTrucTuyen": ("0", "1", "2"),
    "HoSoCoThanhPhanSoHoa": ZERO_ONE,
    "TaiKhoanDuocXacThucVoiVNeID": ZERO_ONE,
    "DuocSoHoa": ZERO_ONE,
    "DuocLayTuKhoDMQG": ZERO_ONE,
    "Gia": "digits",
    "NgayBoSung": "date_or_empty",
    "NgayTiepNhanBoSung": "date_or_empty",
}
_PROGRESS_RULES: dict[str, Any] = {
    "MaHoSo": "code",
    "ThoiDiemXuLy": "date",
    "TrangThai": STATUSES,
    "NgayBatDau": "date_or_empty",
    "NgayKetThucTheoQuyDinh": "date_or_empty",
}

FAULT_KINDS = (
    "error99",
    "http503",
    "http500_after_apply",
    "hang_after_apply",
    "hang_before_apply",
    "expire_sessions",
    "drop_connection",
)
_TIMED_FAULTS = ("hang_after_apply", "hang_before_apply")

_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{14}")
_MAX_BODY = 64 * 1024 * 1024


# --- Validation -----------------------------------------------------------------------------


class Invalid(ValueError):
    """An object the adapter refuses with ``"02"``; ``str()`` is the answer's message."""


def is_portal_date(value: str) -> bool:
    """True for a real instant written ``yyyyMMddHHmmss`` (14 digits)."""
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        return False
    return True


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    """The value is one of the rule's choices."""
    if value not in choices:
        shown = ", ".join(f'"{choice}"' for choice in choices)
        raise Invalid(f'{field} không hợp lệ "{value}" (chỉ nhận {shown})')


def _check_nonempty(field: str, value: str) -> None:
    """The value is not the empty string."""
    if not value:
        raise Invalid(f"{field} không được để trống")


def _check_code(field: str, value: str) -> None:
    """A dossier code: 1 to MAX_DOSSIER_CODE characters."""
    if not value or len(value) > MAX_DOSSIER_CODE:
        raise Invalid(f"{field} phải có từ 1 đến {MAX_DOSSIER_CODE} ký tự")


def _check_digits(field: str, value: str) -> None:
    """An unsigned integer written in digits."""
    if not _DIGITS.fullmatch(value):
        raise Invalid(f'{field} phải là số nguyên không dấu (nhận "{value}")')


def _check_date(field: str, value: str) -> None:
    """A real instant written yyyyMMddHHmmss."""
    if not is_portal_date(value):
        raise Invalid(f'{field} không đúng định dạng yyyyMMddHHmmss (nhận "{value}")')


def _check_date_or_empty(field: str, value: str) -> None:
    """A portal date, or the empty string for a date not yet known."""
    if value != "":
        _check_date(field, value)


#: a named rule of _DOSSIER_RULES -> its check (a tuple rule lists the accepted values)
_SCALAR_CHECKS: dict[str, Callable[[str, str], None]] = {
    "nonempty": _check_nonempty,
    "code": _check_code,
    "digits": _check_digits,
    "date": _check_date,
    "date_or_empty": _check_date_or_empty,
}


def _check_scalar(field: str, value: Any, rule: Any) -> None:
    if not isinstance(value, str):
        raise Invalid(f"{field} phải là chuỗi JSON (nhận {_show(value)})")
    if rule is None:
        return
    if isinstance(rule, tuple):
        _check_choice(field, value, rule)
    elif (check := _SCALAR_CHECKS.get(rule)) is not None:
        check(field, value)


def _call_name(endpoint: str, payload: Any) -> str:
    """The name a call is counted under: ``/auth``, the service it names, or "?"."""
    if endpoint == AUTH:
        return AUTH
    service = payload.get("service") if isinstance(payload, dict) else None
    return service if isinstance(service, str) else "?"


def _check_keys(where: str, obj: Any, fields: Iterable[str]) -> None:
    if not isinstance(obj, dict):
        raise Invalid(f"{where or 'đối tượng'} phải là một đối tượng JSON")
    prefix = f"{where}." if where else ""
    missing = [field for field in fields if field not in obj]
    if missing:
        raise Invalid(f"{prefix}{missing[0]} bị thiếu")
    unknown = sorted(set(obj) - set(fields))
    if unknown:
        raise Invalid(f"{prefix}{unknown[0]} không phải trường của đối tượng")


def _object_label(obj: Any, index: int) -> str:
    """How a message names an object: by its MaHoSo when it has a usable one."""
    code = obj.get("MaHoSo") if isinstance(obj, dict) else None
    if isinstance(code, str) and code:
        return f"MaHoSo {code}"
    return f"data[{index}]"


def validate_dossier(obj: Any, index: int = 0) -> None:
    """Raise :class:`Invalid` (message ``MaHoSo <code>: <field> <why>``) unless ``obj`` is a
    well-formed dossier object (§1.3)."""
    try:
        _check_keys("", obj, DOSSIER_FIELDS)
        for field in DOSSIER_FIELDS:
            if field in DOSSIER_LISTS:
                items = obj[field]
                if not isinstance(items, list):
                    raise Invalid(f"{field} phải là danh sách JSON")
                item_fields = DOSSIER_LISTS[field]
                for position, item in enumerate(items):
                    where = f"{field}[{position}]"
                    _check_keys(where, item, item_fields)
                    for item_field in item_fields:
                        _check_scalar(f"{where}.{item_field}", item[item_field], _DOSSIER_RULES.get(item_field))
            else:
                _check_scalar(field, obj[field], _DOSSIER_RULES.get(field))
    except Invalid as exc:
        raise Invalid(f"{_object_label(obj, index)}: {exc}") from None


def validate_progress(obj: Any, index: int = 0) -> None:
    """Raise :class:`Invalid` unless ``obj`` is a well-formed progress item (§1.3)."""
    try:
        _check_keys("", obj, PROGRESS_FIELDS)
        for field in PROGRESS_FIELDS:
            _check_scalar(field, obj[field], _PROGRESS_RULES.get(field))
    except Invalid as exc:
        raise Invalid(f"{_object_label(obj, index)}: {exc}") from None


def _check_envelope(payload: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise Invalid(f"{unknown[0]} không phải trường của dịch vụ {payload['service']}")


def _check_batch(payload: dict) -> list:
    data = payload.get("data")
    if not isinstance(data, list):
        raise Invalid("data phải là danh sách JSON")
    if not 1 <= len(data) <= MAX_BATCH:
        raise Invalid(f"data phải có từ 1 đến {MAX_BATCH} phần tử (nhận {len(data)})")
    return data


def example_dossier(code: str = "H44.01-261204-0001", **changes: Any) -> dict:
    """A valid dossier object (for tests and the demo), with ``changes`` applied."""
    dossier = {
        "MaHoSo": code,
        "MaTTHC": "1.001234",
        "TenTTHC": "Cấp giấy phép xây dựng",
        "MaLinhVuc": "XD",
        "TenLinhVuc": "Xây dựng",
        "KenhThucHien": "1",
        "ChuHoSo": "Nguyễn Văn A",
        "LoaiDoiTuong": "1",
        "MaDoiTuong": "044090001234",
        "SoDienThoai": "0912345678",
        "Email": "",
        "TrichYeuHoSo": "Xin cấp phép xây dựng nhà ở",
        "NgayTiepNhan": "20261204080000",
        "NgayHenTra": "20261218170000",
        "TrangThaiHoSo": "2",
        "NgayTra": "",
        "HinhThuc": "0",
        "NgayKetThucXuLy": "",
        "DonViXuLy": "H44.01",
        "TaiLieuNop": [
            {"MaThanhPhanHoSo": "TP1", "TenTepDinhKem": "don.pdf", "DuocSoHoa": "1", "DuocLayTuKhoDMQG": "0"}
        ],
        "DanhSachLePhi": [{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí cấp phép", "Gia": "75000"}],
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
        "DuocThanhToanTrucTuyen": "0",
        "HoSoCoThanhPhanSoHoa": "1",
        "TaiKhoanDuocXacThucVoiVNeID": "0",
        "MaCSDL": "",
        "MaKetQua": "",
    }
    dossier.update(changes)
    return dossier


def example_progress(
    code: str = "H44.01-261204-0001", status: str = "2", at: str = "20261204080000", **changes: Any
) -> dict:
    """A valid progress item for dossier ``code`` (status ``status`` at ``at``)."""
    item = {
        "MaHoSo": code,
        "NguoiXuLy": "Trần Thị B",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": at,
        "PhongBanXuLy": "Bộ phận Một cửa",
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "TrangThai": status,
        "NgayBatDau": at,
        "NgayKetThucTheoQuyDinh": "",
    }
    item.update(changes)
    return item


# --- Faults ---------------------------------------------------------------------------------


@dataclass
class Fault:
    """One queued fault; ``count`` is how many more matching calls it serves."""

    kind: str
    service: str | None = None
    count: int = 1
    seconds: float = 0.0
    after_apply: bool = False

    def matches(self, name: str) -> bool:
        if self.service is None:
            return name != AUTH
        return self.service == name


def _make_fault(kind: Any, service: Any = None, count: Any = 1, seconds: Any = 0.0, after_apply: Any = False) -> Fault:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r} (one of {', '.join(FAULT_KINDS)})")
    if service is not None and service not in (*SERVICES, AUTH):
        raise ValueError(f"unknown service {service!r} for a fault")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"fault count must be an integer >= 1, got {count!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"fault seconds must be a number >= 0, got {seconds!r}")
    if kind in _TIMED_FAULTS and not seconds:
        raise ValueError(f"fault {kind} needs seconds > 0")
    if not isinstance(after_apply, bool):
        raise ValueError(f"after_apply must be true or false, got {after_apply!r}")
    return Fault(kind, service, count, float(seconds), after_apply)


def _check_fail_rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"fail_rate must be between 0 and 1, got {value!r}")
    return float(value)


def _check_seconds(name: str, value: Any, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


# --- The portal -----------------------------------------------------------------------------


class _Drop(Exception):
    """Close the connection without an answer."""


class FakePortal:
    """The fake adapter: its state, its faults and its HTTP server."""

    def __init__(
        self,
        *,
        madonvi: str = "H44",
        username: str = "motcua",
        password: str = "motcua",
        session_ttl: float | None = None,
        fail_rate: float = 0.0,
        latency: float = 0.0,
        seed: int = 0,
        state_file: str | os.PathLike | None = None,
    ):
        self.madonvi = madonvi
        self.username = username
        self.password = password
        self.session_ttl = _check_seconds("session_ttl", session_ttl, optional=True)
        self.fail_rate = _check_fail_rate(fail_rate)
        self.latency = _check_seconds("latency", latency)
        self.seed = seed
        self.state_file = Path(state_file) if state_file is not None else None

        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._dossiers: dict[str, dict] = {}
        self._progress: dict[str, list[dict]] = {}
        self._sessions: dict[str, float | None] = {}  # token -> monotonic expiry (None: never)
        self._faults: list[Fault] = []
        #: Calls per service name (``"auth"`` for log-ins, ``"?"`` when the body names none).
        self.calls: Counter[str] = Counter()
        #: Answers per service name and code (``"00"``…, or ``"http503"``, ``"http500"``,
        #: ``"dropped"``).
        self.answers: defaultdict[str, Counter[str]] = defaultdict(Counter)
        #: The latest calls in order, as ``(service, answer)``.
        self.history: deque[tuple[str, str]] = deque(maxlen=100_000)

        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serving = False
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        if self.state_file is not None:
            self._load()

    # -- Life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL (``http://HOST:PORT``) once bound."""
        if self._httpd is None:
            raise RuntimeError("the fake portal is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Open the listening socket (port 0: any free port) and return the base URL."""
        if self._httpd is not None:
            raise RuntimeError("the fake portal is already running")
        self._stopping.clear()
        httpd = _Server((host, port), _Handler)
        httpd.portal = self  # type: ignore[attr-defined]
        self._httpd = httpd
        logger.info("fake portal listening on %s (madonvi %s)", self.url, self.madonvi)
        return self.url

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` (from another thread)."""
        if self._httpd is None:
            self.bind()
        self._serving = True
        try:
            self._httpd.serve_forever(poll_interval=0.05)
        finally:
            self._serving = False

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; return the base URL."""
        url = self.bind(host, port)
        self._serving = True  # so that a stop() right now waits for the loop
        self._thread = threading.Thread(target=self.serve_forever, name="fake-portal", daemon=True)
        self._thread.start()
        return url

    def stop(self) -> None:
        """Stop serving and close every open connection (pending hangs end by dropping theirs).

        The state stays: :meth:`start` again serves the same dossiers and sessions."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        if self._serving and threading.current_thread() is not self._thread:
            httpd.shutdown()  # returns once the serving loop has left
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        logger.info("fake portal stopped")

    shutdown = stop

    def __enter__(self) -> FakePortal:
        if self._httpd is None:
            self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- Test and control API -----------------------------------------------------------------

    def inject(
        self, kind: str, *, service: str | None = None, count: int = 1, seconds: float = 0.0, after_apply: bool = False
    ) -> None:
        """Queue a fault for the next ``count`` calls of ``service`` (None: any service call)."""
        fault = _make_fault(kind, service, count, seconds, after_apply)
        with self._lock:
            self._faults.append(fault)

    def pending_faults(self) -> list[dict]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def configure(self, **settings: Any) -> None:
        """Change ``fail_rate``, ``latency``, ``session_ttl`` (new sessions) or ``seed``."""
        unknown = sorted(set(settings) - {"fail_rate", "latency", "session_ttl", "seed"})
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}")
        with self._lock:
            if "fail_rate" in settings:
                self.fail_rate = _check_fail_rate(settings["fail_rate"])
            if "latency" in settings:
                self.latency = _check_seconds("latency", settings["latency"])
            if "session_ttl" in settings:
                self.session_ttl = _check_seconds("session_ttl", settings["session_ttl"], True)
            if "seed" in settings:
                if isinstance(settings["seed"], bool) or not isinstance(settings["seed"], int):
                    raise ValueError(f"seed must be an integer, got {settings['seed']!r}")
                self.seed = settings["seed"]
                self._rng = random.Random(self.seed)

    def expire_sessions(self) -> None:
        """Forget every session: the next service call of each client answers ``01``."""
        with self._lock:
            self._sessions.clear()

    def reset(self) -> None:
        """Forget dossiers, sessions, faults and counters (and empty the state file)."""
        with self._lock:
            self._dossiers.clear()
            self._progress.clear()
            self._sessions.clear()
            self._faults.clear()
            self.calls.clear()
            self.answers.clear()
            self.history.clear()
            self._rng = random.Random(self.seed)
            if self.state_file is not None:
                self._compact()

    def dossier(self, code: str) -> dict | None:
        """The stored dossier object with its ``TienDo`` list, or None."""
        with self._lock:
            return self._lookup(code)

    def dossiers(self) -> dict[str, dict]:
        with self._lock:
            return {code: self._lookup(code) for code in self._dossiers}

    def state(self, code: str | None = None) -> dict:
        """What ``GET /_fake/state`` answers."""
        with self._lock:
            codes = [code] if code is not None else list(self._dossiers)
            return {
                "dossiers": {c: self._lookup(c) for c in codes if c in self._dossiers},
                "dossier_count": len(self._dossiers),
                "progress_count": sum(len(items) for items in self._progress.values()),
                "calls": dict(self.calls),
                "answers": {name: dict(counts) for name, counts in self.answers.items()},
                "faults": [asdict(fault) for fault in self._faults],
                "history": [list(call) for call in list(self.history)[-1000:]],
                "sessions": len(self._sessions),
                "config": {
                    "madonvi": self.madonvi,
                    "fail_rate": self.fail_rate,
                    "latency": self.latency,
                    "session_ttl": self.session_ttl,
                    "seed": self.seed,
                },
            }

    def _lookup(self, code: str) -> dict | None:
        if code not in self._dossiers:
            return None
        found = copy.deepcopy(self._dossiers[code])
        found[PROGRESS_KEY] = copy.deepcopy(self._progress.get(code, []))
        return found

    # -- Calls --------------------------------------------------------------------------------

    def _call(self, endpoint: str, raw: bytes) -> tuple[int, dict | None]:
        """Handle one ``/auth`` or ``/service`` call, faults included.

        Returns (HTTP status, JSON answer or None); raises :class:`_Drop` to close the socket.
        """
        if self.latency:
            self._wait(self.latency)
        try:
            payload, parse_error = _parse_json(raw), None
        except Invalid as exc:
            payload, parse_error = None, exc
        name = _call_name(endpoint, payload)

        with self._lock:
            self.calls[name] += 1
            fault = self._take_fault(name)
            # One draw per service call, whatever happens next: the sequence stays reproducible.
            unlucky = endpoint != AUTH and self._rng.random() < self.fail_rate
        kind = fault.kind if fault else None
        if fault:
            logger.info("fake portal: fault %s on %s", kind, name)

        early = self._fault_before_apply(name, fault, unlucky)
        if early is not None:
            return early
        answer = self._apply(endpoint, payload, parse_error)

        if kind == "http500_after_apply":
            self._record(name, "http500")
            return 500, None
        if kind == "drop_connection":
            self._record(name, "dropped")
            raise _Drop
        status, answer = self._reply(name, answer)
        if kind == "hang_after_apply":
            self._wait(fault.seconds)
        return status, answer

    def _fault_before_apply(self, name: str, fault: Fault | None, unlucky: bool) -> tuple[int, dict | None] | None:
        """Play the part of a fault (or an unlucky draw) that comes before the call is applied.

        Returns the reply that ends the call there, or None to go on; raises :class:`_Drop`."""
        kind = fault.kind if fault else None
        if kind == "expire_sessions":
            self.expire_sessions()
        elif kind == "http503":
            self._record(name, "http503")
            return 503, None
        elif kind == "error99" or (unlucky and fault is None):
            return self._reply(name, _answer(TEMPORARY_FAILURE, "Lỗi tạm thời, thử lại sau"))
        elif kind == "drop_connection" and not fault.after_apply:
            self._record(name, "dropped")
            raise _Drop
        elif kind == "hang_before_apply":
            self._wait(fault.seconds)
        return None

    def _apply(self, endpoint: str, payload: Any, parse_error: Invalid | None) -> dict:
        """The answer of ``/auth`` or ``/service`` to a parsed payload (``02`` when it could not be parsed)."""
        if parse_error is not None:
            return _answer(INVALID, str(parse_error))
        try:
            return self._auth(payload) if endpoint == AUTH else self._service(payload)
        except Invalid as exc:
            return _answer(INVALID, str(exc))
        except OSError:  # the journal could not be written: nothing was applied
            logger.exception("fake portal: cannot write %s", self.state_file)
            return _answer(TEMPORARY_FAILURE, "Lỗi lưu trữ tạm thời, thử lại sau")

    def _take_fault(self, name: str) -> Fault | None:
        for position, fault in enumerate(self._faults):
            if fault.matches(name):
                fault.count -= 1
                if fault.count == 0:
                    del self._faults[position]
                return copy.copy(fault)
        return None

    def _wait(self, seconds: float) -> None:
        # A stop ends every wait at once, and the connection then closes without an answer.
        if self._stopping.wait(seconds):
            raise _Drop

    def _record(self, name: str, answer: str) -> None:
        """Count what the client is sent (an error code, or "http503", "http500", "dropped")."""
        with self._lock:
            self.answers[name][answer] += 1
            self.history.append((name, answer))

    def _reply(self, name: str, answer: dict) -> tuple[int, dict]:
        self._record(name, answer["error_code"])
        if answer["error_code"] != OK:
            logger.info("fake portal: %s answered %s %s", name, answer["error_code"], answer.get("message", ""))
        return 200, answer

    def _auth(self, payload: Any) -> dict:
        if not isinstance(payload, dict) or not all(
            isinstance(payload.get(key), str) for key in ("username", "password")
        ):
            raise Invalid("Cần username và password (chuỗi)")
        if (payload["username"], payload["password"]) != (self.username, self.password):
            return _answer(SESSION_INVALID, "Sai tên đăng nhập hoặc mật khẩu")
        token = secrets.token_urlsafe(24)
        with self._lock:
            ttl = self.session_ttl
            self._sessions[token] = None if ttl is None else time.monotonic() + ttl
        return {"error_code": OK, "session": token}

    def _session_valid(self, token: str) -> bool:
        with self._lock:
            if token not in self._sessions:
                return False
            expiry = self._sessions[token]
            if expiry is not None and time.monotonic() >= expiry:
                del self._sessions[token]
                return False
            return True

    def _service(self, payload: Any) -> dict:
        if not isinstance(payload, dict):
            raise Invalid("Nội dung yêu cầu phải là đối tượng JSON")
        token = payload.get("session")
        if not isinstance(token, str):
            raise Invalid("session bị thiếu hoặc không phải chuỗi")
        if not self._session_valid(token):
            return _answer(SESSION_INVALID, "Phiên làm việc không tồn tại hoặc đã hết hạn")
        if payload.get("madonvi") != self.madonvi:
            raise Invalid(f"madonvi {_show(payload.get('madonvi'))} không đúng mã đơn vị {self.madonvi}")
        handler = {
            SYNC_DOSSIERS: self._sync_dossiers,
            UPDATE_PROGRESS: self._update_progress,
            LOOKUP_DOSSIER: self._lookup_dossier,
        }.get(payload.get("service"))
        if handler is None:
            raise Invalid(f"Không có dịch vụ {_show(payload.get('service'))}")
        return handler(payload)

    def _sync_dossiers(self, payload: dict) -> dict:
        """DongBoHoSoMC: create (isUpdating "False") or replace ("True") whole dossiers."""
        _check_envelope(payload, ("session", "madonvi", "service", "isUpdating", "data"))
        updating = payload.get("isUpdating")
        if updating not in ("True", "False"):
            raise Invalid('isUpdating phải là "True" hoặc "False" (chuỗi)')
        data = _check_batch(payload)
        for index, obj in enumerate(data):
            validate_dossier(obj, index)
        codes = [obj["MaHoSo"] for obj in data]
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise Invalid(f"MaHoSo {code}: xuất hiện nhiều lần trong cùng một lô")
            seen.add(code)
        with self._lock:
            if updating == "False":
                clashes = [code for code in codes if code in self._dossiers]
                code, why = ALREADY_HELD, 'đã có trên Cổng (gửi lại với isUpdating "True")'
            else:
                clashes = [code for code in codes if code not in self._dossiers]
                code, why = NOT_HELD, 'chưa có trên Cổng (gửi lại với isUpdating "False")'
            if not clashes:
                self._persist({"op": "dossiers", "data": data})
                for obj in data:
                    self._dossiers[obj["MaHoSo"]] = obj
        if clashes:
            return _answer(code, _clash_message(clashes, why))
        return {"error_code": OK}

    def _update_progress(self, payload: dict) -> dict:
        """CapNhatTienDoHoSoMC: append every item to its dossier's progress list."""
        _check_envelope(payload, ("session", "madonvi", "service", "data"))
        data = _check_batch(payload)
        for index, item in enumerate(data):
            validate_progress(item, index)
        with self._lock:
            for item in data:
                if item["MaHoSo"] not in self._dossiers:
                    raise Invalid(f"MaHoSo {item['MaHoSo']}: hồ sơ chưa có trên Cổng")
            self._persist({"op": "progress", "data": data})
            for item in data:
                self._progress.setdefault(item["MaHoSo"], []).append(item)
        return {"error_code": OK}

    def _lookup_dossier(self, payload: dict) -> dict:
        """TraCuuHoSo: the dossier with its progress list, or an empty result."""
        _check_envelope(payload, ("session", "madonvi", "service", "mahoso"))
        code = payload.get("mahoso")
        if not isinstance(code, str) or not code:
            raise Invalid("mahoso bị thiếu hoặc không phải chuỗi")
        found = self.dossier(code)
        return {"error_code": OK, "result": [found] if found else []}

    # -- Persistence (journal) ----------------------------------------------------------------

    def _load(self) -> None:
        path = self.state_file
        if path.exists():
            with path.open(encoding="utf-8") as journal:
                for number, line in enumerate(journal, 1):
                    if not line.strip():
                        continue
                    try:
                        entry = json.loads(line)
                        self._replay(entry)
                    except (ValueError, KeyError, TypeError):
                        logger.warning("fake portal: skipped unreadable line %d of %s", number, path)
            logger.info("fake portal: loaded %d dossiers from %s", len(self._dossiers), path)
        self._compact()

    def _replay(self, entry: dict) -> None:
        if entry.get("op") == "dossiers":
            for obj in entry["data"]:
                self._dossiers[obj["MaHoSo"]] = obj
        elif entry.get("op") == "progress":
            for item in entry["data"]:
                self._progress.setdefault(item["MaHoSo"], []).append(item)

    def _compact(self) -> None:
        """Rewrite the journal as one line per dossier (and its progress), atomically."""
        path = self.state_file
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                for code, obj in self._dossiers.items():
                    out.write(_line({"op": "dossiers", "data": [obj]}))
                    if self._progress.get(code):
                        out.write(_line({"op": "progress", "data": self._progress[code]}))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def _persist(self, entry: dict) -> None:
        """Append one applied batch (called under the lock, before the change is made)."""
        if self.state_file is not None:
            with self.state_file.open("a", encoding="utf-8") as journal:
                journal.write(_line(entry))


def _answer(code: str, message: str) -> dict:
    return {"error_code": code, "message": message}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _line(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"


def _clash_message(codes: list[str], why: str) -> str:
    message = f"MaHoSo {codes[0]}: {why}"
    if len(codes) > 1:
        message += f"; cùng {len(codes) - 1} hồ sơ khác: {', '.join(codes[1:])}"
    return message


def _reject_constant(name: str) -> None:
    raise Invalid(f"giá trị {name} không hợp lệ trong JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise Invalid(f"trường {key} xuất hiện hai lần")
        result[key] = value
    return result


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except Invalid as exc:
        raise Invalid(f"Nội dung yêu cầu không phải JSON hợp lệ: {exc}") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise Invalid(f"Nội dung yêu cầu không phải JSON hợp lệ: {exc}") from None


# --- HTTP -----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the connections of a burst of concurrent clients (two relays
    # at once), which then wait a whole second for TCP to retry.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway: pooled clients meet restarts
    server_version = "FakeLGSP/1.0"
    timeout = 120  # an idle kept-alive connection is closed after this

    @property
    def portal(self) -> FakePortal:
        return self.server.portal  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        with self.portal._lock:
            self.portal._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.portal._lock:
                self.portal._connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake portal: %s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path.rstrip("/") == "/_fake/state":
            code = parse_qs(parts.query).get("mahoso", [None])[0]
            self._send(200, self.portal.state(code))
        elif parts.path.rstrip("/") in (
            "/auth",
            "/service",
            "/_fake/faults",
            "/_fake/reset",
            "/_fake/expire-sessions",
            "/_fake/config",
        ):
            self._send_text(405, "Method Not Allowed")
        else:
            self._send_text(404, "Not Found")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        raw = self._read_body()
        if raw is None:
            return
        if path in ("/auth", "/service"):
            try:
                status, answer = self.portal._call(path.lstrip("/"), raw)
            except _Drop:
                self.close_connection = True
                return
            if answer is None:
                self._send_text(status, {500: "Internal Server Error", 503: "Service Unavailable"}[status])
            else:
                self._send(status, answer)
        elif path.startswith("/_fake/"):
            self._control(path.removeprefix("/_fake/"), raw)
        else:
            self._send_text(404, "Not Found")

    def _control(self, action: str, raw: bytes) -> None:
        portal = self.portal
        try:
            body = _parse_json(raw) if raw.strip() else {}
            if action == "faults":
                faults = body if isinstance(body, list) else [body]
                if not all(isinstance(fault, dict) for fault in faults):
                    raise ValueError("a fault is a JSON object")
                made = [_make_fault(**fault) for fault in faults]  # all or nothing
                for fault in made:
                    portal.inject(
                        fault.kind,
                        service=fault.service,
                        count=fault.count,
                        seconds=fault.seconds,
                        after_apply=fault.after_apply,
                    )
            elif action == "config":
                if not isinstance(body, dict):
                    raise ValueError("the settings are a JSON object")
                portal.configure(**body)
            elif action == "reset":
                portal.reset()
            elif action == "expire-sessions":
                portal.expire_sessions()
            else:
                self._send_text(404, "Not Found")
                return
        except (ValueError, TypeError) as exc:  # Invalid is a ValueError
            self._send(400, {"error_code": INVALID, "message": str(exc)})
            return
        self._send(200, {"error_code": OK})

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                self._send_text(411, "Length Required")
                return None
            return b""
        try:
            size = int(length)
        except ValueError:
            size = -1
        if not 0 <= size <= _MAX_BODY:
            self.close_connection = True
            self._send_text(400 if size < 0 else 413, "Bad Content-Length")
            return None
        return self.rfile.read(size)

    def _send(self, status: int, answer: dict) -> None:
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self._send_bytes(status, body, "application/json; charset=utf-8")

    def _send_text(self, status: int, text: str) -> None:
        self._send_bytes(status, text.encode(), "text/plain; charset=utf-8")

    def _send_bytes(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (its timeout) before the answer
            self.close_connection = True


def serve_forever(
    host: str = "127.0.0.1", port: int = 8765, ready: Callable[[str], None] | None = None, **options: Any
) -> FakePortal:
    """Run a :class:`FakePortal` (``options`` as its constructor) in this thread until Ctrl-C;
    ``ready(url)`` is called once the socket listens. Returns the stopped portal."""
    portal = FakePortal(**options)
    url = portal.bind(host, port)
    if ready is not None:
        ready(url)
    try:
        portal.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return portal
