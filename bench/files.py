"""Digital dossier benchmark (issue #11 "Tests and figures"): file checks and storage, signing, validation.

Prints figures beside the issue's targets; asserts nothing (a figure off target is reported, not failed):

1. upload + check + store of a 5 MB PDF (type sniffed from the bytes, parsed with pypdf for its page
   count and encryption, SHA-256, written to the content-addressed store, its row saved): ≤ 300 ms;
2. signing a 2-page result with a PAdES signature (pyHanko, the demo organisation certificate, EC P-256,
   no timestamp server): ≤ 500 ms;
3. validating a signed result (integrity, chain to the trust root, coverage; uncached): ≤ 200 ms.

    .venv/bin/python bench/files.py               # 20 rounds each
    .venv/bin/python bench/files.py --rounds 50

Runs in a temporary data folder with an SQLite database of its own (``DEBUG`` off). Each upload
round stores different bytes (a counter inside the PDF's metadata), so deduplication never skips the
write. The first round of each phase is a warm-up and not counted.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pdf(pages: int, *, image_bytes: int = 0, marker: str = "bench-000000") -> bytes:
    """A PDF of ``pages`` pages; with ``image_bytes`` the first page carries a scan of about that size."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    if image_bytes:
        import img2pdf

        side = 1400
        while True:  # noise compresses badly: a JPEG of about the wanted size, like a colour scan
            noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
            buffer = io.BytesIO()
            noise.save(buffer, format="JPEG", quality=90)
            if buffer.tell() >= image_bytes:
                break
            side = int(side * 1.15)
        scan = PdfReader(io.BytesIO(img2pdf.convert(buffer.getvalue())))
        writer.append(scan)
        pages -= 1
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": marker})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _figures(label: str, times: list[float], target_ms: float) -> None:
    times_ms = sorted(t * 1000 for t in times)
    p50 = statistics.median(times_ms)
    p95 = times_ms[min(len(times_ms) - 1, int(round(0.95 * (len(times_ms) - 1))))]
    verdict = "ok" if p95 <= target_ms else "OVER TARGET"
    print(
        f"{label:<48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {times_ms[-1]:7.1f} ms   "
        f"target ≤ {target_ms:.0f} ms: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-files-"))
    os.environ.update(
        MOTCUA_DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        MOTCUA_DEBUG="0",
        MOTCUA_CACHE="locmem",
        DJANGO_SETTINGS_MODULE="motcua.settings",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from motcua.files import services, signing
    from motcua.files.pki import DEMO_PASSWORD, make_demo_pki

    call_command("migrate", verbosity=0)
    pki = make_demo_pki(folder / "pki")
    settings.MOTCUA_SIGNING_PKCS12, settings.MOTCUA_SIGNING_PKCS12_PASSWORD = str(pki.pkcs12), DEMO_PASSWORD
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(pki.ca_certificate)]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.rounds} rounds per phase")

    big = _pdf(3, image_bytes=5 * 1024 * 1024)
    print(f"upload: a {len(big) / 1e6:.1f} MB PDF of 3 pages (a colour scan and two text pages)")
    times = []
    for n in range(args.rounds + 1):
        data = big.replace(b"bench-000000", f"bench-{n:06d}".encode())
        upload = SimpleUploadedFile("scan.pdf", data, content_type="application/pdf")
        started = time.perf_counter()
        stored, checked = services.store_upload(upload)
        elapsed = time.perf_counter() - started
        assert checked.page_count == 3 and stored.size == len(data)
        if n:
            times.append(elapsed)
    _figures("1. upload + check + store, 5 MB PDF", times, 300)

    two_pages = _pdf(2)
    times, signed = [], b""
    for n in range(args.rounds + 1):
        started = time.perf_counter()
        signed = signing.sign_pdf(two_pages, reason=f"Ký duyệt kết quả {n}")
        if n:
            times.append(time.perf_counter() - started)
    _figures("2. PAdES signature of a 2-page result", times, 500)

    times = []
    for n in range(args.rounds + 1):
        started = time.perf_counter()
        validation = signing.validate_pdf(signed)
        if n:
            times.append(time.perf_counter() - started)
        assert validation.valid
    _figures("3. validation of a signed result (uncached)", times, 200)


if __name__ == "__main__":
    main()
