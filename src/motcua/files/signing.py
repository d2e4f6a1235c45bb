"""PAdES signatures (chữ ký số) on results and forms with pyHanko, and their validation.

The organisation's certificate is configured by the administrator: a PKCS#12 file
(``MOTCUA_SIGNING_PKCS12`` and its password) or a PKCS#11 token — USB token or HSM — through
pyHanko's PKCS#11 support (``MOTCUA_SIGNING_PKCS11_MODULE``, token label, key label, PIN). With
``MOTCUA_TSA_URL`` the signature carries an RFC 3161 timestamp. Outside production, with nothing
configured, the demo certificate written by ``motcua demo`` is used (:mod:`motcua.files.pki`).

Validation checks every embedded signature against ``MOTCUA_SIGNING_TRUST_ROOTS`` (and the demo CA
outside production): who signed (subject's common name and organisation), when, whether the signed
bytes are intact, whether the certificate chains to a trusted root, and whether the signature
covers the whole file. Its report is cached by the file's SHA-256 (content-addressed: the same
bytes always give the same answer for the same trust roots).
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import UserError

from .pki import DEMO_MARKER, DEMO_PASSWORD, DemoPki

logger = logging.getLogger("motcua.files")
_signer_lock = threading.Lock()
_signers: dict[tuple, object] = {}


class SigningUnavailable(UserError):
    """No organisation certificate is configured (or it cannot be opened)."""


@dataclass(frozen=True)
class SigningConfig:
    pkcs12: Path | None = None
    pkcs12_password: str = ""
    pkcs11_module: str = ""
    pkcs11_token: str = ""
    pkcs11_key: str = ""
    pkcs11_pin: str = ""
    tsa_url: str = ""
    demo: bool = False


def demo_pki() -> DemoPki:
    return DemoPki(Path(settings.DATA_DIR) / "demo-pki")


def signing_config() -> SigningConfig | None:
    """The certificate to sign with, or None when none is configured."""
    s = settings
    if s.MOTCUA_SIGNING_PKCS11_MODULE:
        return SigningConfig(
            pkcs11_module=s.MOTCUA_SIGNING_PKCS11_MODULE,
            pkcs11_token=s.MOTCUA_SIGNING_PKCS11_TOKEN,
            pkcs11_key=s.MOTCUA_SIGNING_PKCS11_KEY,
            pkcs11_pin=s.MOTCUA_SIGNING_PKCS11_PIN,
            tsa_url=s.MOTCUA_TSA_URL,
        )
    if s.MOTCUA_SIGNING_PKCS12:
        return SigningConfig(
            pkcs12=Path(s.MOTCUA_SIGNING_PKCS12),
            pkcs12_password=s.MOTCUA_SIGNING_PKCS12_PASSWORD,
            tsa_url=s.MOTCUA_TSA_URL,
        )
    demo = demo_pki()
    if not s.PRODUCTION and demo.exists():
        return SigningConfig(pkcs12=demo.pkcs12, pkcs12_password=DEMO_PASSWORD, tsa_url=s.MOTCUA_TSA_URL, demo=True)
    return None


def trust_root_files() -> list[Path]:
    roots = [Path(p) for p in settings.MOTCUA_SIGNING_TRUST_ROOTS]
    demo = demo_pki()
    if not settings.PRODUCTION and demo.exists():
        roots.append(demo.ca_certificate)
    return roots


def _load_signer(config: SigningConfig):
    from pyhanko.sign import signers

    if config.pkcs11_module:
        from pkcs11 import Mechanism
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11  # needs python-pkcs11 (the [pkcs11] extra)

        # pyHanko 0.38 selects the token by TokenCriteria (its former token_label argument is gone).
        criteria = TokenCriteria(label=config.pkcs11_token) if config.pkcs11_token else None
        session = pkcs11.open_pkcs11_session(
            config.pkcs11_module, token_criteria=criteria, user_pin=config.pkcs11_pin or None
        )
        signer = pkcs11.PKCS11Signer(session, key_label=config.pkcs11_key or None, cert_label=config.pkcs11_key or None)
        # Many tokens (SoftHSM 2.6, several USB tokens) only sign a digest the host computed (CKM_ECDSA,
        # CKM_RSA_PKCS), not the hash-and-sign mechanism pyHanko asks for by default (SHA-256 here).
        combined = {"rsa": Mechanism.SHA256_RSA_PKCS, "ec": Mechanism.ECDSA_SHA256}.get(
            signer.signing_cert.public_key.algorithm
        )
        if combined is not None and combined not in session.token.slot.get_mechanisms():
            signer = pkcs11.PKCS11Signer(
                session, key_label=config.pkcs11_key or None, signing_cert=signer.signing_cert, use_raw_mechanism=True
            )
        return signer
    signer = signers.SimpleSigner.load_pkcs12(str(config.pkcs12), passphrase=config.pkcs12_password.encode() or None)
    if signer is None:
        raise SigningUnavailable(
            "Không mở được chứng thư số của cơ quan; đề nghị quản trị viên kiểm tra cấu hình.",
            f"cannot load PKCS#12 {config.pkcs12}",
            code="signing_unavailable",
        )
    return signer


def _signer(config: SigningConfig):
    key = (
        config.pkcs12,
        config.pkcs12.stat().st_mtime if config.pkcs12 and config.pkcs12.exists() else None,
        config.pkcs11_module,
        config.pkcs11_token,
        config.pkcs11_key,
    )
    with _signer_lock:
        if key not in _signers:
            _signers.clear()
            _signers[key] = _load_signer(config)
        return _signers[key]


def sign_pdf(data: bytes, *, reason: str, location: str = "", field_name: str = "") -> bytes:
    """``data`` (a PDF) with one more PAdES signature of the organisation's certificate."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    config = signing_config()
    if config is None:
        raise SigningUnavailable(
            "Chưa cấu hình chứng thư số của cơ quan nên không ký số được; đề nghị quản trị viên cấu hình.",
            "no signing certificate configured (MOTCUA_SIGNING_PKCS12 / MOTCUA_SIGNING_PKCS11_MODULE)",
            code="signing_unavailable",
        )
    try:
        signer = _signer(config)
    except SigningUnavailable:
        raise
    except Exception as error:
        logger.error("cannot open the signing certificate: %s", error)
        raise SigningUnavailable(
            "Không mở được chứng thư số của cơ quan; đề nghị quản trị viên kiểm tra cấu hình.",
            f"cannot open signer: {error}",
            code="signing_unavailable",
        ) from error
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    existing = len(writer.prev.embedded_signatures)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name or f"ChuKySo{existing + 1}",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason[:200],
        location=location[:200],
    )
    timestamper = timestamps.HTTPTimeStamper(config.tsa_url) if config.tsa_url else None
    output = signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper, in_place=False)
    return output.getvalue()


# --- validation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """What the pages show of one signature."""

    signer: str
    organisation: str
    signed_at: datetime | None
    timestamped: bool
    intact: bool  # the signed bytes are unchanged and the signature is cryptographically sound
    trusted: bool  # the certificate chains to a configured root
    whole_file: bool  # nothing but permitted changes after the signature
    demo: bool
    error: str = ""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.whole_file and not self.error

    @property
    def verdict(self) -> str:
        if self.valid:
            return str(_("Hợp lệ"))
        if not self.intact or self.error:
            return str(_("Bị thay đổi sau khi ký"))
        if not self.trusted:
            return str(_("Chứng thư không được tin cậy"))
        return str(_("Có nội dung thêm vào sau khi ký"))


@dataclass(frozen=True)
class Validation:
    """All signatures of a file (none: an unsigned file)."""

    signatures: tuple[SignatureReport, ...]
    readable: bool = True

    @property
    def signed(self) -> bool:
        return bool(self.signatures) or not self.readable

    @property
    def valid(self) -> bool:
        return self.readable and bool(self.signatures) and all(s.valid for s in self.signatures)


def _trust_fingerprint(roots: list[Path]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        digest.update(str(root).encode())
        if root.exists():
            digest.update(root.read_bytes())
    return digest.hexdigest()[:16]


def _validation_context(roots: list[Path]):
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    certs = list(load_certs_from_pemder([str(r) for r in roots if r.exists()])) if roots else []
    return ValidationContext(trust_roots=certs, allow_fetching=False, revocation_mode="soft-fail")


def _names(cert) -> tuple[str, str]:
    native = cert.subject.native
    return str(native.get("common_name", "")), str(native.get("organization_name", ""))


def validate_pdf(data: bytes) -> Validation:
    """Validate every signature of ``data`` (uncached; see :func:`validation_of`)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    roots = trust_root_files()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # a flipped byte can break the file's structure itself
        logger.info("signature validation: unreadable PDF: %s", error)
        return Validation(signatures=(), readable=False)
    reports = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, signer_validation_context=_validation_context(roots))
            signer, organisation = _names(status.signing_cert)
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
                status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and status.docmdp_ok is not False
                and status.modification_level is not None
                and status.modification_level.value <= 2
            )
            ts = status.timestamp_validity
            reports.append(
                SignatureReport(
                    signer=signer,
                    organisation=organisation,
                    signed_at=ts.timestamp if ts is not None else status.signer_reported_dt,
                    timestamped=ts is not None,
                    intact=bool(status.intact and status.valid),
                    trusted=bool(status.trusted),
                    whole_file=bool(whole),
                    demo=DEMO_MARKER in signer or DEMO_MARKER in organisation,
                )
            )
        except Exception as error:
            logger.info("signature validation failed: %s", error)
            reports.append(
                SignatureReport(
                    signer="",
                    organisation="",
                    signed_at=None,
                    timestamped=False,
                    intact=False,
                    trusted=False,
                    whole_file=False,
                    demo=False,
                    error=str(error)[:200],
                )
            )
    return Validation(signatures=tuple(reports))


def validation_of(data: bytes) -> Validation:
    """:func:`validate_pdf`, cached by the bytes' SHA-256 and the trust roots."""
    key = f"motcua:sigcheck:{hashlib.sha256(data).hexdigest()}:{_trust_fingerprint(trust_root_files())}"
    cached = cache.get(key)
    if cached is not None:
        return Validation(
            signatures=tuple(SignatureReport(**s) for s in cached["signatures"]), readable=cached["readable"]
        )
    result = validate_pdf(data)
    cache.set(key, {"signatures": [asdict(s) for s in result.signatures], "readable": result.readable}, 3600)
    return result
