"""Real PAdES signatures with pyHanko and their validation (motcua.files.signing)."""

from __future__ import annotations

import pytest

from motcua.files import signing
from motcua.files.pki import make_demo_pki
from tests.pdfs import pdf_bytes


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def test_a_signed_pdf_validates_with_signer_organisation_and_time():
    signed = signing.sign_pdf(pdf_bytes(2), reason="Ký duyệt kết quả")
    validation = signing.validate_pdf(signed)
    assert validation.valid and len(validation.signatures) == 1
    sig = validation.signatures[0]
    assert sig.intact and sig.trusted and sig.whole_file and sig.demo
    assert "DEMO" in sig.signer and sig.organisation.startswith("UBND tỉnh") and sig.signed_at is not None


def test_an_unsigned_pdf_is_not_valid():
    validation = signing.validate_pdf(pdf_bytes())
    assert not validation.signed and not validation.valid


def test_a_byte_flipped_in_the_signed_content_breaks_the_signature():
    original = pdf_bytes(2, text="noi dung ket qua")
    signed = signing.sign_pdf(original, reason="Ký duyệt")
    # A byte of the page content signed over (inside the first revision, before the signature dictionary).
    position = signed.index(b"noi dung ket qua")
    validation = signing.validate_pdf(_flip(signed, position))
    assert not validation.valid
    assert not validation.readable or not validation.signatures[0].intact


def test_a_page_added_after_signing_is_not_valid():
    """An incremental update after the signature (a page slipped in) leaves the signed bytes intact but is refused."""
    import io

    from pypdf import PdfReader, PdfWriter

    signed = signing.sign_pdf(pdf_bytes(), reason="Ký duyệt")
    writer = PdfWriter(PdfReader(io.BytesIO(signed)), incremental=True)
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    validation = signing.validate_pdf(buffer.getvalue())
    assert validation.signatures and not validation.valid and not validation.signatures[0].whole_file


def test_a_certificate_from_an_untrusted_ca_is_not_valid(settings, tmp_path):
    other = make_demo_pki(tmp_path / "other")
    settings.MOTCUA_SIGNING_PKCS12 = str(other.pkcs12)  # signed by another CA than the configured trust root
    signing._signers.clear()
    try:
        validation = signing.validate_pdf(signing.sign_pdf(pdf_bytes(), reason="x"))
    finally:
        signing._signers.clear()
    assert validation.signatures[0].intact and not validation.signatures[0].trusted and not validation.valid


def test_no_certificate_configured_refuses_signing_in_vietnamese(settings):
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.PRODUCTION = True  # no demo fallback
    with pytest.raises(signing.SigningUnavailable, match="Chưa cấu hình chứng thư số"):
        signing.sign_pdf(pdf_bytes(), reason="x")


def test_pkcs11_is_configuration_only_here(settings):
    """The PKCS#11 settings win over PKCS#12; signing with a real token: tests/files/test_pkcs11.py (SoftHSM)."""
    settings.MOTCUA_SIGNING_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    settings.MOTCUA_SIGNING_PKCS11_TOKEN = "motcua"
    config = signing.signing_config()
    assert config.pkcs11_module.endswith("libsofthsm2.so") and config.pkcs11_token == "motcua"


def test_motcua_demo_makes_a_demo_certificate_used_outside_production(settings, tmp_path, capsys):
    from motcua.web.management.commands.demo import Command

    settings.DATA_DIR = tmp_path
    settings.MOTCUA_SIGNING_PKCS12, settings.MOTCUA_SIGNING_TRUST_ROOTS = "", []
    signing._signers.clear()
    Command()._demo_certificate()
    assert "TRÌNH DIỄN" in capsys.readouterr().out
    config = signing.signing_config()
    assert config.demo and config.pkcs12 == tmp_path / "demo-pki" / "organisation-demo.p12"
    validation = signing.validate_pdf(signing.sign_pdf(pdf_bytes(), reason="demo"))
    signing._signers.clear()
    assert validation.valid and validation.signatures[0].demo
    settings.PRODUCTION = True  # never the demo certificate in production, for signing or for trust
    assert signing.signing_config() is None and signing.trust_root_files() == []
