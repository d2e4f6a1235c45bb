"""Checks on upload (motcua.files.checks) and the content-addressed store (motcua.files.services)."""

from __future__ import annotations

import hashlib

import pytest
from pypdf import PdfReader

from motcua.files import checks, services
from motcua.files.models import StoredFile
from motcua.files.storage import file_storage
from tests.pdfs import EXECUTABLE, encrypted_pdf_bytes, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_a_real_pdf_is_accepted_with_its_page_count():
    checked = checks.check(pdf_bytes(3), "giay-to.pdf")
    assert checked.page_count == 3 and checked.original_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("fake.pdf", EXECUTABLE, "không khớp với tên tệp"),  # issue 11: a Windows executable named like a PDF
        ("anh.jpg", pdf_bytes(), "không khớp với tên tệp"),  # a PDF calling itself an image
        ("scan.pdf", image_bytes("PNG"), "không khớp với tên tệp"),  # an image calling itself a PDF
        ("empty.pdf", b"", "tệp rỗng"),
        ("locked.pdf", encrypted_pdf_bytes(), "mã hóa"),
        ("broken.pdf", b"%PDF-1.4\n% a scanned application form\n%%EOF\n", "bị hỏng"),
        ("macro.docm", b"PK\x03\x04", "chỉ nhận tệp PDF"),
    ],
)
def test_files_that_lie_or_cannot_be_read_are_refused_in_vietnamese(name, data, reason):
    with pytest.raises(checks.FileRefused) as refused:
        checks.check(data, name)
    assert reason in refused.value.message and name in refused.value.message


def test_too_large_is_refused(settings):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    with pytest.raises(checks.FileRefused, match="vượt quá 1 MB"):
        checks.check(pdf_bytes(padding=1_100_000), "big.pdf")


@pytest.mark.parametrize(
    ("fmt", "mode", "name"),
    [("PNG", "RGB", "a.png"), ("JPEG", "RGB", "a.jpg"), ("TIFF", "RGB", "a.tif"), ("PNG", "RGBA", "alpha.png")],
)
def test_images_become_one_page_pdfs(fmt, mode, name):
    checked = checks.check(image_bytes(fmt, mode=mode), name)
    assert checked.data.startswith(b"%PDF") and checked.page_count == 1
    assert len(PdfReader(__import__("io").BytesIO(checked.data)).pages) == 1
    assert checked.original_type.startswith("image/")


def test_same_bytes_are_stored_once_under_their_hash():
    data = pdf_bytes(2, text="once")
    first, _ = services.store_upload(upload("a.pdf", data))
    second, _ = services.store_upload(upload("another-name.pdf", data))
    assert first.pk == second.pk and StoredFile.objects.count() == 1
    assert first.sha256 == hashlib.sha256(data).hexdigest() and first.page_count == 2
    assert first.storage_name.endswith(f"{first.sha256}.pdf") and "a.pdf" not in first.storage_name
    assert services.read_bytes(first) == data


def test_a_stored_file_changed_behind_our_back_is_detected():
    stored, _ = services.store_upload(upload("a.pdf", pdf_bytes(text="tamper")))
    path = file_storage().path(stored.storage_name)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(services.TamperedFile):
        services.read_bytes(stored)


def test_clamd_hook_refuses_what_it_finds_and_fails_closed(settings, tmp_path):
    """A tiny clamd speaking INSTREAM on 127.0.0.1: FOUND refuses, an unreachable daemon refuses too."""
    import socket
    import struct
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(2)
    port = server.getsockname()[1]

    def serve(count):
        for _ in range(count):
            conn, _addr = server.accept()
            with conn:
                buffer = b""
                while b"zINSTREAM\0" not in buffer:
                    buffer += conn.recv(4096)
                buffer = buffer.split(b"zINSTREAM\0", 1)[1]
                payload = b""
                while True:
                    while len(buffer) < 4:
                        buffer += conn.recv(65536)
                    (size,), buffer = struct.unpack("!L", buffer[:4]), buffer[4:]
                    if size == 0:
                        break
                    while len(buffer) < size:
                        buffer += conn.recv(65536)
                    payload, buffer = payload + buffer[:size], buffer[size:]
                verdict = b"stream: Eicar-Signature FOUND\0" if b"EICAR" in payload else b"stream: OK\0"
                conn.sendall(verdict)

    thread = threading.Thread(target=serve, args=(2,), daemon=True)
    thread.start()
    settings.MOTCUA_CLAMD = f"127.0.0.1:{port}"
    assert checks.check(pdf_bytes(), "clean.pdf").page_count == 1
    with pytest.raises(checks.UserError, match="mã độc"):
        checks.check(pdf_bytes(text="EICAR"), "infected.pdf")
    thread.join(5)
    server.close()
    settings.MOTCUA_CLAMD = f"127.0.0.1:{port}"  # nobody listens any more
    with pytest.raises(checks.UserError, match="diệt virus"):
        checks.check(pdf_bytes(), "clean.pdf")
