"""``motcua calendar YEAR`` (interchange.md §3): non-working weekdays and working Saturdays.

A day whose legal basis was not verified against the text it cites ends with ``[căn cứ chưa được xác minh]``
(issue #10 item 8; docs/decisions/0018).
"""

from __future__ import annotations

from motcua.core.commands import MotcuaCommand
from motcua.core.errors import UserError
from motcua.workdays import official, services

MIN_YEAR, MAX_YEAR = 1980, 2100
#: Appended to a day whose legal basis was not checked against the text it cites (official.VERIFIED_BASES).
UNVERIFIED = "[căn cứ chưa được xác minh]"


class Command(MotcuaCommand):
    help = (
        "Liệt kê ngày nghỉ trong tuần và ngày làm bù của một năm "
        "(YYYY-MM-DD<TAB>nghi|lam_bu<TAB>tên và căn cứ) / "
        "List the non-working weekdays and working Saturdays of a year."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", metavar="YEAR", help="năm, ví dụ 2026 / year, e.g. 2026")

    def handle(self, *args, **options):
        text = str(options["year"]).strip()
        if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
            raise UserError(
                f"Năm không hợp lệ: {text!r} (cần một năm từ {MIN_YEAR} đến {MAX_YEAR}).",
                f"invalid year {text!r}",
            )
        listing = services.year_listing(int(text))
        if not listing.official:
            self.stdout.write(
                f"# {listing.year}: {official.FALLBACK_NOTE if listing.year >= 2021 else official.FALLBACK_NOTE_2012}"
                " (ngày lễ cố định và âm lịch) / no official schedule: statutory fixed and lunar holidays"
            )
        for day, status, name, basis in listing.lines:
            label = f"{name} — {basis}" if basis else name
            if not official.basis_verified(basis):
                label += f" {UNVERIFIED}"
            self.stdout.write(f"{day.isoformat()}\t{status}\t{label}")
