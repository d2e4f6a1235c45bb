"""Signing with a PKCS#11 token (USB token / HSM) for real: a SoftHSM v2 token holding the organisation's key.

The token lives in a temporary directory of its own (``SOFTHSM2_CONF`` names a configuration whose
``tokendir`` is there). It holds the key and certificate of an organisation issued by a demo CA
(:func:`motcua.files.pki.make_demo_pki`): the key imported as PKCS#8 with ``softhsm2-util --import``,
the certificate written with python-pkcs11 under the same label (``MOTCUA_SIGNING_PKCS11_KEY`` names both).
The leader's "Ký duyệt kết quả" (:func:`motcua.dossiers.services.approve_result`) then signs through it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from motcua.dossiers import services
from motcua.dossiers.models import DossierResult, Status
from motcua.files import signing
from motcua.files.pki import DEMO_PASSWORD, make_demo_pki
from motcua.files.services import read_bytes
from tests.factories import official, procedure, province_with_department, vn, workflow
from tests.pdfs import pdf_bytes, upload

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, KEY, PIN = "motcua-hsm", "to-chuc-ky-so", "246810"
ORGANISATION = "Sở Tư pháp HSM"

pytestmark = [
    pytest.mark.skipif(
        not SOFTHSM_MODULE.exists(),
        reason=f"SoftHSM v2 is not installed ({SOFTHSM_MODULE} missing: apt-get install softhsm2)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("pkcs11") is None,
        reason="python-pkcs11 is not installed (the [pkcs11] extra: pip install -e '.[pkcs11]')",
    ),
]


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def _softhsm(env: dict[str, str], *args: str) -> None:
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util not found next to the SoftHSM module (Debian package softhsm2)"
    done = subprocess.run([util, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"softhsm2-util {args[0]} failed: {done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """A fresh SoftHSM token holding the organisation's key and certificate; yields the demo PKI."""
    import pkcs11
    from pkcs11.util.x509 import decode_x509_certificate

    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    pki = make_demo_pki(root / "pki", organisation=ORGANISATION)
    key, cert, _chain = pkcs12.load_key_and_certificates(pki.pkcs12.read_bytes(), DEMO_PASSWORD.encode())
    assert key is not None and cert is not None
    key_file = root / "key.p8"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
        _softhsm(env, "--init-token", "--free", "--label", TOKEN, "--so-pin", "13579", "--pin", PIN)
        _softhsm(env, "--import", str(key_file), "--token", TOKEN, "--label", KEY, "--id", "01", "--pin", PIN)
        key_file.unlink()  # the key now lives only in the token (and the demo PKCS#12 the test made)

        lib = pkcs11.lib(str(SOFTHSM_MODULE))
        lib.reinitialize()  # SoftHSM reads SOFTHSM2_CONF when initialised: this test's token directory
        with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            der = cert.public_bytes(serialization.Encoding.DER)
            session.create_object(
                {
                    **decode_x509_certificate(der),
                    pkcs11.Attribute.TOKEN: True,
                    pkcs11.Attribute.LABEL: KEY,
                    pkcs11.Attribute.ID: b"\x01",
                }
            )
        signing._signers.clear()
        try:
            yield pki
        finally:
            _close_signers()
            lib.finalize()  # the next user of SoftHSM in this process reads its own configuration


def _close_signers() -> None:
    for signer in signing._signers.values():
        session = getattr(signer, "pkcs11_session", None)
        if session is not None:
            session.close()
    signing._signers.clear()


@pytest.fixture
def hsm(settings, token):
    """The settings of the PKCS#11 path, with no PKCS#12 file to fall back on; the token's CA trusted."""
    settings.MOTCUA_SIGNING_PKCS11_MODULE = str(SOFTHSM_MODULE)
    settings.MOTCUA_SIGNING_PKCS11_TOKEN = TOKEN
    settings.MOTCUA_SIGNING_PKCS11_KEY = KEY
    settings.MOTCUA_SIGNING_PKCS11_PIN = PIN
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(token.ca_certificate)]
    _close_signers()
    yield token
    _close_signers()


@pytest.mark.django_db
def test_the_leaders_approval_signs_the_result_with_the_token(hsm):
    _province, department, _commune = province_with_department()
    steps = workflow(procedure(days=5))
    desk, specialist = official("desk", department, "desk_officer"), official("specialist", department, "specialist")
    leader = official("leader", department, "leader")
    dossier = services.receive(
        procedure=steps[0].workflow.procedure,
        handling_unit=department,
        channel=1,
        actor=desk,
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Lê Văn Cường"},
    )
    services.start_processing(dossier, assignee=specialist, actor=desk, at=vn(2026, 3, 2, 9, 30))
    draft = pdf_bytes(2, text="ket qua ky bang token")
    proposal = services.propose_result(
        dossier,
        title="Phiếu lý lịch tư pháp",
        result_code="LLTP-11",
        draft=upload("du-thao.pdf", draft),
        step=steps[2],
        assignee=leader,
        actor=specialist,
        at=vn(2026, 3, 3, 9),
    )

    result = services.approve_result(proposal, signer=leader, at=vn(2026, 3, 3, 15))

    dossier.refresh_from_db()
    assert dossier.status == Status.DONE
    assert result.signature_state == DossierResult.Signature.VERIFIED and result.stored_file.page_count == 2
    signed = read_bytes(result.stored_file)
    assert signed.startswith(draft)  # an incremental update: the draft's bytes, then the signature
    validation = signing.validate_pdf(signed)
    assert validation.valid and len(validation.signatures) == 1
    sig = validation.signatures[0]
    # The token's certificate (its organisation is not the test suite's PKCS#12 one), chained to its CA.
    assert sig.organisation == f"{ORGANISATION} DEMO" and sig.signer.startswith(ORGANISATION)
    assert sig.intact and sig.trusted and sig.whole_file and sig.signed_at is not None

    broken = signing.validate_pdf(_flip(signed, signed.index(b"ket qua ky bang token")))
    assert not broken.valid
    assert not broken.readable or not broken.signatures[0].intact


def test_a_pdf_signed_by_the_token_validates_and_a_flipped_byte_breaks_it(hsm):
    signed = signing.sign_pdf(pdf_bytes(2, text="noi dung ket qua"), reason="Ký duyệt kết quả")
    validation = signing.validate_pdf(signed)
    assert validation.valid and validation.signatures[0].organisation == f"{ORGANISATION} DEMO"
    broken = signing.validate_pdf(_flip(signed, signed.index(b"noi dung ket qua")))
    assert not broken.valid and (not broken.readable or not broken.signatures[0].intact)


@pytest.mark.parametrize(
    "setting, value",
    [
        ("MOTCUA_SIGNING_PKCS11_PIN", "000000"),
        ("MOTCUA_SIGNING_PKCS11_TOKEN", "khong-co-token"),
        ("MOTCUA_SIGNING_PKCS11_KEY", "khong-co-khoa"),
    ],
)
def test_a_wrong_pin_token_or_key_refuses_signing_in_vietnamese(hsm, settings, setting, value):
    setattr(settings, setting, value)
    with pytest.raises(signing.SigningUnavailable, match="Không mở được chứng thư số"):
        signing.sign_pdf(pdf_bytes(), reason="x")
