"""The demo's certificate authority and organisation certificate (chứng thư số trình diễn).

``motcua demo`` makes them with :mod:`cryptography` so signing works out of the box. Every name
in them says DEMO / TRÌNH DIỄN and they are valid for one year: they prove nothing about anyone,
and validation shows them as demo certificates. A real deployment configures the organisation's
certificate issued by a licensed CA (``MOTCUA_SIGNING_PKCS12`` or a PKCS#11 token) and that CA's
root as ``MOTCUA_SIGNING_TRUST_ROOTS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Marker in every demo certificate's names; validation reports such a signer as a demo.
DEMO_MARKER = "DEMO"
DEMO_PASSWORD = "motcua-demo"  # noqa: S105 — published on purpose: the demo certificate proves nothing


@dataclass(frozen=True)
class DemoPki:
    directory: Path

    @property
    def pkcs12(self) -> Path:
        return self.directory / "organisation-demo.p12"

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "demo-ca.pem"

    def exists(self) -> bool:
        return self.pkcs12.exists() and self.ca_certificate.exists()


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_demo_pki(directory: Path, organisation: str = "UBND tỉnh (trình diễn)", *, force: bool = False) -> DemoPki:
    """Write a demo CA (PEM) and an organisation certificate with its key (PKCS#12) into ``directory``."""
    pki = DemoPki(Path(directory))
    if pki.exists() and not force:
        return pki
    pki.directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("motcua DEMO CA (trình diễn, không có giá trị pháp lý)", "motcua DEMO")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    org_name = _name(f"{organisation} — chứng thư {DEMO_MARKER}"[:64], f"{organisation} {DEMO_MARKER}"[:64])
    cert = (
        x509.CertificateBuilder()
        .subject_name(org_name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pki.ca_certificate.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.pkcs12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"organisation-demo",
            key,
            cert,
            [ca_cert],
            serialization.BestAvailableEncryption(DEMO_PASSWORD.encode()),
        )
    )
    pki.pkcs12.chmod(0o600)
    return pki
