"""QR code on printed documents (R3.2: TCVN 7322:2009, top-left corner).

**Forms about one dossier (01–06)** carry the address of the dossier's public tracking page::

    https://motcua.example.gov.vn/tra-cuu-ho-so/H99.01-260302-0001:Xq3…/

The last path segment is a signed token (:mod:`motcua.dossiers.tracking`): the dossier code and
an HMAC signature, nothing about the applicant. A phone camera opens the page; the code printed
beside the QR stays readable offline. The site's address is ``MOTCUA_PUBLIC_URL``.

**The tracking book (form 07)** covers many dossiers and keeps the compact text payload,
version 1, one UTF-8 line::

    MOTCUA1|MAU=07|DV=H99.01|TU=2026-03-01|DEN=2026-03-31|VB=Sổ theo dõi hồ sơ

* ``MOTCUA1`` names the format and its version; fields follow as ``KEY=value`` separated by ``|``.
* ``MAU`` form number of TT 03/2025; ``DV`` unit code; ``TU`` and ``DEN`` ISO dates of the period;
  ``VB`` name of the document. (Version 1 also defined ``HS``, ``TTHC`` and ``DD`` — the
  applicant's identification number — for the dossier forms; personal data no longer goes into a QR.)
* In values, ``\\`` and ``|`` are escaped with a backslash. Readers must ignore unknown keys.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse

from motcua.dossiers import tracking

PREFIX = "MOTCUA1"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def build_payload(fields: dict[str, str]) -> str:
    """``MOTCUA1|KEY=value|…`` in the order given."""
    return "|".join([PREFIX, *(f"{key}={_escape(value or '')}" for key, value in fields.items())])


def tracking_url(dossier_code: str) -> str:
    """The absolute address of the dossier's public tracking page, with its signed token."""
    path = reverse("public:track", kwargs={"token": tracking.token_for(dossier_code)})
    return settings.MOTCUA_PUBLIC_URL.rstrip("/") + path


def parse_payload(text: str) -> dict[str, str]:
    """Inverse of :func:`build_payload` (for the citizen look-up page and the tests)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if parts[0] != PREFIX:
        raise ValueError(f"not a motcua QR payload: {text[:40]!r}")
    return dict(part.split("=", 1) for part in parts[1:])


def svg_data_uri(payload: str) -> str:
    """The QR code as an SVG data URI: vector (sharp when printed), nothing fetched."""
    # Error level M (15 %) survives a stamp or fold; a 2-module border plus the page margin
    # gives the quiet zone ISO/IEC 18004 (TCVN 7322) asks for.
    code = segno.make(payload, error="m", micro=False, encoding="utf-8")
    return code.svg_data_uri(border=2, dark="#000", light="#fff")
