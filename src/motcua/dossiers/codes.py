"""The shape of a dossier code (MaHoSo): one definition for the model, the import and the URLs.

Pure Python (no Django), so the exchange-format validation can use it in its worker processes.
"""

import re

DOSSIER_CODE_MAX_LENGTH = 64

#: ASCII letters, digits, ``.``, ``-`` and ``_``, starting with a letter or a digit. The national
#: structures fit (``H44.12.01-260315-0001``, ``000.00.12.H44-260101-AA0001``: process-rules.md
#: R4.2–R4.4), and a code is always exactly one URL path segment (no ``/``, ``..``, ``?`` or spaces).
DOSSIER_CODE_REGEX = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{DOSSIER_CODE_MAX_LENGTH - 1}}}"

_FULL_MATCH = re.compile(rf"{DOSSIER_CODE_REGEX}\Z", re.ASCII)

#: What the pattern means, for messages (Vietnamese for users, English for logs).
DOSSIER_CODE_RULE = (
    f"mã hồ sơ chỉ gồm chữ cái không dấu, chữ số và các dấu . - _, bắt đầu bằng chữ cái hoặc chữ số, "
    f"tối đa {DOSSIER_CODE_MAX_LENGTH} ký tự"
)
DOSSIER_CODE_RULE_EN = (
    f"a dossier code has only ASCII letters, digits and . - _, starts with a letter or a digit and has at most "
    f"{DOSSIER_CODE_MAX_LENGTH} characters"
)


def is_dossier_code(value: str) -> bool:
    return _FULL_MATCH.match(value) is not None


class DossierCodeConverter:
    """URL converter ``<dossier_code:code>``: a URL names a dossier only with a code an import can hold."""

    regex = DOSSIER_CODE_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
