"""The API's error bodies, in Vietnamese: ``{"detail": sentence, "code": word, "errors": {param: [..]}}``.

DRF's own messages are English (its Vietnamese catalogue is mostly empty), so every exception the
API can raise gets its sentence here; a :class:`UserError` keeps its own.
"""

from __future__ import annotations

import logging

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.access.policy import AccessDenied
from motcua.core.errors import UserError

logger = logging.getLogger("motcua.api")

#: DRF's default details, in Vietnamese (a detail a view or permission chose itself is kept).
MESSAGES = {
    exceptions.NotAuthenticated: "Bạn cần đăng nhập để dùng API này.",
    exceptions.AuthenticationFailed: "Thông tin đăng nhập không đúng.",
    exceptions.PermissionDenied: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
    exceptions.NotFound: "Không tìm thấy địa chỉ này.",
    exceptions.MethodNotAllowed: "Phương thức HTTP này không được hỗ trợ ở đây.",
    exceptions.NotAcceptable: "Không trả được kết quả theo định dạng yêu cầu (chỉ JSON).",
    exceptions.UnsupportedMediaType: "Kiểu dữ liệu gửi lên không được hỗ trợ.",
    exceptions.ParseError: "Không đọc được dữ liệu gửi lên.",
    exceptions.Throttled: "Quá nhiều yêu cầu, xin thử lại sau.",
}


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    errors = {name: _messages(value) for name, value in detail.items()}
    text = "; ".join(
        f"{name}: {m}" if name != "non_field_errors" else m for name, messages in errors.items() for m in messages
    )
    return {"detail": text, "code": "invalid", "errors": errors}


def _detail(exc: exceptions.APIException) -> str:
    kind = next((k for k in type(exc).__mro__ if k in MESSAGES), None)
    if kind is None or str(exc.detail) != str(type(exc).default_detail):
        return str(exc.detail)
    return MESSAGES[kind]


def exception_handler(exc, context):
    """DRF's handler with Vietnamese bodies; a UserError is a 400 (403 when access is denied)."""
    if isinstance(exc, UserError):
        status = 403 if isinstance(exc, AccessDenied) else 400
        logger.info("API %s: %s", status, exc.log_message)
        return Response(
            {"detail": exc.message, "code": exc.code or ("forbidden" if status == 403 else "invalid")}, status=status
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    else:
        response.data = {"detail": _detail(exc), "code": getattr(exc, "default_code", "error")}
    if response.status_code in (401, 403):
        logger.warning("API %s on %s: %s", response.status_code, context["request"].path, response.data["detail"])
    return response
