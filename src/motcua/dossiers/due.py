"""The arithmetic of the effective due instant (hạn trả hiệu lực), on plain values.

Pure Python (no Django), so the importer's worker processes compute the stored column with the same
function the application uses (:func:`motcua.dossiers.rules.effective_due_at`).
"""

from __future__ import annotations

from datetime import datetime, timedelta


def due_instant(
    due: datetime | None, spans, *, new_appointment: datetime | None = None, letter_issued_at: datetime | None = None
) -> datetime | None:
    """The arithmetic of :func:`effective_due_at` on plain values, for bulk writers (the importer) too.

    ``spans``: (requested, completed) of the supplement requests of the processing stage. Without a new
    appointment: ``due`` plus the calendar time of the completed ones (interchange.md §4). With one
    (NgayHenTraMoi): it, plus the completed ones requested after the letter (none when the letter is unknown).
    """
    if due is None:
        return None
    if new_appointment is not None:
        base, after = new_appointment, letter_issued_at
        if after is None:
            return base
    else:
        base, after = due, None
    shift = timedelta()
    for requested, completed in spans:
        if completed is not None and (after is None or requested >= after):
            shift += completed - requested
    return base + shift
