"""Electronic identifiers of agencies (mã định danh điện tử), the unit part of dossier codes.

Pure Python (no Django), so the exchange-format checks can use it.
"""

import re
from typing import TypeGuard

#: The unit part of a dossier code under TT 03/2025 Art. 13 (keeping TT 01/2018 Art. 19's structure
#: ``<unit>-YYMMDD-XXXX``): the receiving unit's mã định danh điện tử — the QCVN 102:2016/BTTTT form
#: ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` (``000.00.12.H26``, process-rules.md R4.2) or the newer ``MX1X2.Y1Y2Y3.Z1Z2``
#: (``H26.123.45``, R4.4–R4.5). Anything else (an internal unit code) is used only when no identifier is known.
UNIT_IDENTIFIER_REGEX = r"(?:\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}\.\d{3}\.\d{2})"
_UNIT_IDENTIFIER = re.compile(rf"{UNIT_IDENTIFIER_REGEX}\Z", re.ASCII)


def is_unit_identifier(value: str | None) -> TypeGuard[str]:
    """Whether ``value`` is an electronic identifier of an agency (mã định danh điện tử)."""
    return value is not None and _UNIT_IDENTIFIER.match(value) is not None


def code_prefix(unit_code: str, electronic_id: str | None) -> str:
    """The unit part of the dossier codes a unit allocates: its electronic identifier when known and well formed."""
    return electronic_id if is_unit_identifier(electronic_id) else unit_code
