"""Checks on every upload: the real type from the bytes, PDFs that parse, images turned into PDF.

The name and the browser's declared type are not believed: :mod:`filetype` reads the magic
bytes. A PDF must parse with pypdf (its page count is recorded) and must not be encrypted (nobody
could read or sign it later); an image (JPEG, PNG, TIFF) is converted to a PDF with img2pdf
(lossless, Pillow first for what img2pdf refuses, e.g. a PNG with transparency). Empty, too large,
lying or unreadable files are refused with a Vietnamese reason before anything is stored.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import filetype
import img2pdf
from django.conf import settings
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from motcua.core.errors import UserError

from . import antivirus

logger = logging.getLogger("motcua.files")

PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif"}
#: What a name may say; anything else is refused even if the bytes are a PDF (the desk's habit).
ACCEPTED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, as the PDF that will be stored."""

    data: bytes
    page_count: int
    original_type: str
    original_name: str


class FileRefused(UserError):
    """An upload that is not stored (the dossier is left as it was)."""


def max_bytes() -> int:
    return settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024


def _refuse(name: str, reason: str, log: str) -> FileRefused:
    logger.info("upload refused: name=%r %s", name, log)
    return FileRefused(
        f"Tệp «{name}» không được chấp nhận: {reason}", f"upload {name!r} refused: {log}", code="file_refused"
    )


def read_upload(upload) -> bytes:
    """The bytes of a Django upload (or any file-like object), refusing what is over the limit."""
    name = getattr(upload, "name", "") or "tệp"
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _refuse(name, f"vượt quá {settings.MOTCUA_UPLOAD_MAX_MB} MB.", f"size {size}")
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        data = b"".join(upload.chunks())
    else:
        data = upload.read()
    if len(data) > limit:
        raise _refuse(name, f"vượt quá {settings.MOTCUA_UPLOAD_MAX_MB} MB.", f"size {len(data)}")
    return data


def sniff(data: bytes) -> str:
    """The MIME type the bytes really are ('' when unknown)."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else ""


def pdf_pages(data: bytes, name: str) -> int:
    """Page count of a PDF; refuses one that does not parse, is encrypted or has no page."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(name, "tệp PDF được mã hóa hoặc đặt mật khẩu, không đọc và ký số được.", "encrypted PDF")
        pages = len(reader.pages)
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise _refuse(name, "tệp PDF bị hỏng, không đọc được.", f"unreadable PDF: {error}") from error
    if pages < 1:
        raise _refuse(name, "tệp PDF không có trang nào.", "PDF without pages")
    return pages


def image_to_pdf(data: bytes, name: str) -> bytes:
    """A scan as a one-page PDF per frame: losslessly with img2pdf, through Pillow when img2pdf refuses."""
    try:
        return img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid)
    except Exception:  # img2pdf refuses alpha channels, some TIFF encodings …: re-encode with Pillow
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                frame = image.convert("RGB")
                buffer = io.BytesIO()
                frame.save(buffer, format="JPEG", quality=92)
            return img2pdf.convert(buffer.getvalue())
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
            raise _refuse(name, "ảnh bị hỏng, không đọc được.", f"unreadable image: {error}") from error


def check(data: bytes, name: str) -> CheckedFile:
    """Check ``data`` uploaded as ``name``; the PDF to store, or :class:`FileRefused`."""
    name = (name or "tệp").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if not data:
        raise _refuse(name, "tệp rỗng.", "empty")
    if len(data) > max_bytes():
        raise _refuse(name, f"vượt quá {settings.MOTCUA_UPLOAD_MAX_MB} MB.", f"size {len(data)}")
    if not name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise _refuse(name, "chỉ nhận tệp PDF hoặc ảnh quét (JPG, PNG, TIFF).", "extension")
    real = sniff(data)
    claims_pdf = name.lower().endswith(".pdf")
    if real == PDF and claims_pdf:
        pages, pdf = pdf_pages(data, name), data
    elif real in IMAGE_TYPES and not claims_pdf:
        pdf = image_to_pdf(data, name)
        pages = pdf_pages(pdf, name)
    else:
        what = real or "không xác định"
        raise _refuse(
            name,
            f"nội dung thực của tệp ({what}) không khớp với tên tệp; chỉ nhận PDF hoặc ảnh quét.",
            f"content is {real or 'unknown'}",
        )
    antivirus.scan(data, name)
    return CheckedFile(data=pdf, page_count=pages, original_type=real, original_name=name)


def check_upload(upload) -> CheckedFile:
    return check(read_upload(upload), getattr(upload, "name", "") or "")
