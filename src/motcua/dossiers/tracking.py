"""How a citizen proves they may read a dossier's progress without an account.

Two ways, both without personal data in a URL:

* the **signed token** printed in the receipt's QR code: the dossier code and an HMAC-SHA256
  signature under ``SECRET_KEY`` with a salt of its own (so no other signed value of the
  project can stand in for it). It cannot be guessed or derived from the code; rotating the
  secret (``SECRET_KEY_FALLBACKS``) keeps printed receipts valid;
* the **dossier code plus a second factor** the applicant has: the last four digits of the
  identification number or of the phone number recorded at reception.
"""

from __future__ import annotations

import hmac
import re

from django.core import signing

SALT = "motcua.dossiers.tracking"
FACTOR_DIGITS = 4
_NOT_DIGIT = re.compile(r"\D")


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def token_for(code: str) -> str:
    """``<code>:<signature>`` for the dossier ``code`` (URL-safe: the signature is base64url)."""
    return _signer().sign(code)


def code_from_token(token: str) -> str | None:
    """The dossier code a token was issued for; None for a tampered or foreign token."""
    try:
        return _signer().unsign(token or "")
    except signing.BadSignature:
        return None


def second_factors(id_number: str, phone: str) -> list[str]:
    """The last four digits of the identification number and of the phone, where recorded."""
    factors = []
    for value in (id_number, phone):
        digits = _NOT_DIGIT.sub("", value or "")
        if len(digits) >= FACTOR_DIGITS:
            factors.append(digits[-FACTOR_DIGITS:])
    return factors


def factor_matches(factor: str, *, id_number: str, phone: str) -> bool:
    """Whether ``factor`` (four digits) is one of the applicant's; compared in constant time."""
    factor = _NOT_DIGIT.sub("", factor or "")
    if len(factor) != FACTOR_DIGITS:
        return False
    # Compare against every candidate (no early exit) so the timing says nothing about which one failed.
    matches = [hmac.compare_digest(factor, candidate) for candidate in second_factors(id_number, phone)]
    return any(matches)
