"""Optional antivirus check of uploads through a clamd daemon (``MOTCUA_CLAMD``), off by default.

clamd's INSTREAM command over a Unix socket or TCP: no library needed. When the daemon is
configured but cannot be reached the upload is refused (fail closed): a file that could not be
checked is not stored.
"""

from __future__ import annotations

import logging
import socket
import struct

from django.conf import settings

from motcua.core.errors import UserError

logger = logging.getLogger("motcua.files")
CHUNK = 64 * 1024


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=30)


def instream(address: str, data: bytes) -> str:
    """clamd's answer for ``data`` ("stream: OK", "stream: Eicar-Signature FOUND" …)."""
    with _connect(address) as sock:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            answer += part
    return answer.rstrip(b"\0").decode("utf-8", "replace")


def scan(data: bytes, name: str) -> None:
    address = settings.MOTCUA_CLAMD
    if not address:
        return
    try:
        answer = instream(address, data)
    except OSError as error:
        logger.error("clamd unreachable at %s: %s", address, error)
        raise UserError(
            "Không kiểm tra được tệp bằng phần mềm diệt virus; đề nghị thử lại sau.",
            f"clamd unreachable: {error}",
            code="antivirus_unavailable",
        ) from error
    if answer.endswith("FOUND"):
        logger.warning("upload %r refused by clamd: %s", name, answer)
        raise UserError(
            f"Tệp «{name}» không được chấp nhận: phần mềm diệt virus phát hiện mã độc.",
            f"clamd: {answer}",
            code="file_refused",
        )
    if not answer.endswith("OK"):
        raise UserError(
            "Không kiểm tra được tệp bằng phần mềm diệt virus; đề nghị thử lại sau.",
            f"clamd answered {answer!r}",
            code="antivirus_unavailable",
        )
