"""Real files for upload tests: PDFs that parse, images, and files that lie about their type."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages: int = 1, *, text: str = "", padding: int = 0) -> bytes:
    """A valid PDF of ``pages`` A4 pages; ``padding`` bytes of metadata make it as large as needed."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    metadata = {"/Title": text or "motcua test"}
    if padding:
        metadata["/Padding"] = "x" * padding
    writer.add_metadata(metadata)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(120, 160), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 220, 240) if mode == "RGB" else (200, 220, 240, 128)).save(buffer, format=fmt)
    return buffer.getvalue()


#: What issue 11 found accepted: a 46-byte Windows executable named like a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 30


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
