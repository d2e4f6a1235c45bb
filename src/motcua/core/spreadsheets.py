"""Workbooks and CSV files whose cells a spreadsheet program cannot turn into code.

Texts in an export come from data: a unit name, an applicant's name, an imported field. Written as
they are, ``=HYPERLINK("http://…"&A1, "…")`` becomes a live formula (XlsxWriter converts strings that
start with ``=`` unless told not to) and a CSV cell starting with ``=``, ``+``, ``-`` or ``@`` is
evaluated when the file is opened in Excel or LibreOffice (OWASP "CSV injection"). Every workbook and
CSV writer of the project is made here, so the rule lives in one place.
"""

from __future__ import annotations

import csv
import re
from typing import Any

#: XlsxWriter options that keep every string a string: no formulas, no hyperlinks (``external:`` links
#: open local files), no numbers guessed from text. They override whatever the caller passes.
SAFE_XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

# A cell a spreadsheet would evaluate: it starts with = + - @ (or a tab or carriage return before one,
# OWASP's list). Quotes in front are counted so that neutralise() and restore() invert each other:
# a text that already starts with ' and a trigger gets one more quote, and the reader removes one.
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
# A plain number cannot call anything; quoting it would turn -5 or +84912345678 into text.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def xlsx_workbook(target: Any, options: dict | None = None):
    """An ``xlsxwriter.Workbook`` writing to ``target`` (a path or a binary buffer) that writes every
    string as text, whatever ``options`` say."""
    import xlsxwriter  # lazily: only exports need it

    return xlsxwriter.Workbook(target, {**(options or {}), **SAFE_XLSX_OPTIONS})


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would evaluate it."""
    if _FORMULA_LIKE.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`, for readers of the project's own CSV files."""
    return text[1:] if _NEUTRALISED.match(text) else text


class _NeutralisingWriter:
    """A ``csv.writer`` whose text cells pass through :func:`neutralise`."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(c) if isinstance(c, str) else c for c in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _NeutralisingWriter:
    """Like ``csv.writer(stream, **kwargs)``, with formula-like text cells neutralised."""
    return _NeutralisingWriter(stream, **kwargs)
