"""The HTTP client of the province's adapter to the national portal (portal-sync.md §1.1–§1.4).

It knows the wire (log in, call a service, re-log in once on ``01``) and sorts failures into
the two kinds the relay must tell apart: :class:`NotSent` (the call never reached the portal:
nothing was applied) and :class:`Ambiguous` (HTTP 5xx, timeout, connection lost after sending:
the portal may or may not have applied it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx
from django.conf import settings

logger = logging.getLogger("motcua.nationalportal")


class PortalUnavailable(Exception):
    """The call failed without an answer from the portal's application."""


class NotSent(PortalUnavailable):
    """The connection was refused: the portal applied nothing."""


class Ambiguous(PortalUnavailable):
    """No usable answer after the request was sent: the portal may have applied it."""


class LoginFailed(PortalUnavailable):
    """The adapter refused the province's account (wrong settings): nothing was sent."""


@dataclass
class Answer:
    code: str
    message: str = ""
    body: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code == "00"


class PortalClient:
    """One adapter account's session; not shared between threads."""

    def __init__(self, url: str, *, username: str, password: str, madonvi: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.username, self.password, self.madonvi = username, password, madonvi
        self.timeout = timeout
        self.session: str | None = None
        self._http = httpx.Client(timeout=timeout, headers={"Content-Type": "application/json; charset=utf-8"})

    @classmethod
    def from_settings(cls) -> PortalClient:
        return cls(
            settings.MOTCUA_PORTAL_URL,
            username=settings.MOTCUA_PORTAL_USERNAME,
            password=settings.MOTCUA_PORTAL_PASSWORD,
            madonvi=settings.MOTCUA_PORTAL_MADONVI,
            timeout=settings.MOTCUA_PORTAL_TIMEOUT,
        )

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: dict) -> dict:
        try:
            response = self._http.post(f"{self.url}/{path}", json=body)
        except httpx.ConnectError as exc:
            raise NotSent(f"connection refused: {exc}") from exc
        except httpx.HTTPError as exc:  # timeouts, dropped connections, protocol errors
            raise Ambiguous(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise Ambiguous(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise Ambiguous(f"HTTP {response.status_code} without a JSON body") from exc
        if not isinstance(data, dict) or "error_code" not in data:
            raise Ambiguous(f"HTTP {response.status_code}: no error_code in the answer")
        return data

    def login(self) -> None:
        data = self._post("auth", {"username": self.username, "password": self.password})
        if str(data.get("error_code")) != "00" or not data.get("session"):
            raise LoginFailed(f"login refused ({data.get('error_code')}): {data.get('message', '')}")
        self.session = data["session"]

    def call(self, service: str, **fields) -> Answer:
        """Call a service; an expired session (``01``) is renewed and the call resent once."""
        for attempt in (1, 2):
            if self.session is None:
                self.login()
            data = self._post(
                "service", {"session": self.session, "madonvi": self.madonvi, "service": service, **fields}
            )
            answer = Answer(str(data.get("error_code")), str(data.get("message", "") or ""), data)
            if answer.code != "01":
                return answer
            logger.info("portal: session expired during %s (attempt %d), logging in again", service, attempt)
            self.session = None
        return answer

    def lookup(self, code: str) -> dict | None:
        """TraCuuHoSo: the portal's copy of a dossier with its progress list, or None when it has none."""
        answer = self.call("TraCuuHoSo", mahoso=code)
        if not answer.ok:
            raise NotSent(f"TraCuuHoSo {code}: answer {answer.code} {answer.message}")
        result = answer.body.get("result") or []
        return result[0] if result else None
