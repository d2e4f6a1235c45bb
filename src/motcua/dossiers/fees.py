"""Phí, lệ phí of a dossier: what is due (its fee lines, DanhSachLePhi) and what was paid.

Paid means a payment was recorded: a :class:`~motcua.dossiers.models.Payment` (at the desk, or reported by a
payment platform), or the payment instant the portal or an import gave (``Dossier.paid_at``, NgayThanhToan,
which carries no amount: the fees due are taken as paid). Nothing else counts as paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Dossier, FeeLine


@dataclass(frozen=True)
class FeeStatus:
    lines: list[FeeLine]
    due: int  # đồng, the total of the lines
    paid: int  # đồng recorded as paid
    paid_at: datetime | None  # the last payment recorded; None: nothing paid

    @property
    def outstanding(self) -> int:
        """What remains to be paid (0 when paid in full or nothing is due)."""
        return max(0, self.due - self.paid)

    @property
    def settled(self) -> bool:
        return self.paid_at is not None and self.outstanding == 0


def fee_status(dossier: Dossier) -> FeeStatus:
    """The dossier's fees and what was paid of them (uses prefetched ``fee_lines`` and ``payments``)."""
    lines = list(dossier.fee_lines.all())
    due = sum(line.amount or 0 for line in lines)
    payments = list(dossier.payments.all())
    if payments:
        return FeeStatus(lines, due, sum(p.amount for p in payments), max(p.paid_at for p in payments))
    if dossier.paid_at is not None:
        return FeeStatus(lines, due, due, dossier.paid_at)
    return FeeStatus(lines, due, 0, None)
