"""Formatting, QR payload, the no-network fetcher and refused documents."""

from datetime import UTC, date, datetime

import pytest
from weasyprint.urls import FatalURLFetchingError

from motcua.core.errors import UserError
from motcua.documents import formats, qr, services
from motcua.dossiers.models import Dossier


def test_instant_is_shown_in_vietnam_time():
    assert formats.instant(datetime(2026, 3, 2, 2, 5, tzinfo=UTC)) == "09 giờ 05 phút, ngày 02/03/2026"
    assert formats.instant(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "00 giờ 30 phút, ngày 01/01/2027"
    assert formats.instant(None) == formats.BLANK


def test_place_and_date_line_follows_nd_30_2020():
    assert formats.place_and_date("Hà Nội", date(2026, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2026"
    assert formats.place_and_date("Hà Nội", date(2026, 2, 28)) == "Hà Nội, ngày 28 tháng 02 năm 2026"
    assert formats.place_and_date("Hà Nội", date(2026, 11, 9)) == "Hà Nội, ngày 09 tháng 11 năm 2026"
    assert formats.place_and_date("Huế", datetime(2026, 2, 28, 17, 30, tzinfo=UTC)) == "Huế, ngày 01 tháng 3 năm 2026"


def test_numbers_use_the_decimal_comma():
    assert formats.number("5.00") == "5" and formats.number(0.5) == "0,5" and formats.number(None) == formats.BLANK


def test_qr_payload_round_trip_with_separators_in_values():
    payload = qr.build_payload({"MAU": "07", "DV": "A|B\\C", "TU": "2026-03-01", "VB": "Sổ theo dõi hồ sơ"})
    assert payload.startswith("MOTCUA1|MAU=07|DV=A\\|B\\\\C|")
    assert qr.parse_payload(payload) == {"MAU": "07", "DV": "A|B\\C", "TU": "2026-03-01", "VB": "Sổ theo dõi hồ sơ"}
    with pytest.raises(ValueError):
        qr.parse_payload("HTTP://example.invalid")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/logo.png",
        "https://fonts.example.invalid/times.ttf",
        "file:///etc/hostname",
    ],
)
def test_fetcher_refuses_the_network_and_foreign_files(url):
    html = f'<html><body><img src="{url}"><p>x</p></body></html>'
    with pytest.raises(FatalURLFetchingError):
        services._html_to_pdf(html)


def test_fetcher_serves_data_uris_and_bundled_fonts():
    fetcher = services._toolkit()[0]
    assert fetcher.fetch("data:text/plain,abc").read() == b"abc"
    font = (services.FONT_DIR / "LiberationSerif-Regular.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"  # TrueType signature


def test_bundled_fonts_ship_with_their_licence():
    names = {p.name for p in services.FONT_DIR.iterdir()}
    assert {
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
        "OFL.txt",
    } <= names
    assert "SIL OPEN FONT LICENSE Version 1.1" in (services.FONT_DIR / "OFL.txt").read_text()


@pytest.mark.django_db
def test_documents_that_cannot_exist_are_refused(world):
    submitted = Dossier.objects.create(code="X-1", procedure=world.procedure, handling_unit=world.department, status=1)
    for kind in ("01", "02", "03", "04", "05"):
        with pytest.raises(UserError):
            services.render_pdf(kind, submitted)
    with pytest.raises(UserError):
        services.render_pdf("08", submitted)
    with pytest.raises(UserError):
        services.tracking_book_pdf(world.department, date(2026, 3, 31), date(2026, 3, 1))
