"""QR code on printed documents (R3.2: TCVN 7322:2009, top-left corner).

Payload format, version 1 — compact UTF-8 text, one line::

    MOTCUA1|MAU=01|HS=H99.01-260302-0001|TTHC=1.000001|DD=001085012345|VB=Giấy tiếp nhận hồ sơ và hẹn trả kết quả

* ``MOTCUA1`` names the format and its version; fields follow as ``KEY=value`` separated by ``|``.
* ``MAU`` form number of TT 03/2025 (01–07); ``HS`` mã hồ sơ; ``TTHC`` mã TTHC; ``DD`` số định
  danh cá nhân/tổ chức of the applicant; ``VB`` name of the document. These four (HS, TTHC, DD,
  VB) are the minimum of R3.2 and are always present, empty when unknown.
* The tracking book (form 07) covers many dossiers: it carries ``DV`` (unit code), ``TU`` and
  ``DEN`` (ISO dates of the period) instead of HS/TTHC/DD.
* In values, ``\\`` and ``|`` are escaped with a backslash. Readers must ignore unknown keys.

No URL is encoded: the lookup address differs per province and the code must stay valid offline.
"""

from __future__ import annotations

import segno

PREFIX = "MOTCUA1"
DOSSIER_KEYS = ("MAU", "HS", "TTHC", "DD", "VB")


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def build_payload(fields: dict[str, str]) -> str:
    """``MOTCUA1|KEY=value|…`` in the order given."""
    return "|".join([PREFIX, *(f"{key}={_escape(value or '')}" for key, value in fields.items())])


def dossier_payload(*, form_number: str, dossier_code: str, procedure_code: str, applicant_id: str,
                    document_name: str) -> str:
    """The R3.2 payload of a form about one dossier."""
    return build_payload(dict(zip(DOSSIER_KEYS, (form_number, dossier_code, procedure_code, applicant_id, document_name),
                                  strict=True)))


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
