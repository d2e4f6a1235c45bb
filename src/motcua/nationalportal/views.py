"""The four signed endpoints the portal calls (portal-sync.md §2).

``X-Portal-Signature: sha256=<hex>`` must be the HMAC-SHA256 of the raw body with
``MOTCUA_PORTAL_INBOUND_SECRET`` (compared in constant time); otherwise 401 and nothing
changes. A valid call answers ``{"error_code": "00"}``; content that does not fit answers
400 ``{"error_code": "02", "message": …}`` naming the field, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from motcua.core.errors import UserError

from . import inbound
from .serializers import (
    AnswerSerializer,
    ComplaintSerializer,
    OnlineDossierSerializer,
    PaymentSerializer,
    RatingSerializer,
)

logger = logging.getLogger("motcua.nationalportal")
SIGNATURE_HEADER = "X-Portal-Signature"


class NationalPortal:
    """The caller once its signature is verified (not a person: no session, no CSRF)."""

    is_authenticated = True
    username = "national-portal"


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class PortalSignatureAuthentication(BaseAuthentication):
    def authenticate(self, request):
        secret = settings.MOTCUA_PORTAL_INBOUND_SECRET
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not secret or not given or not hmac.compare_digest(given.encode(), signature(request.body, secret).encode()):
            logger.warning(
                "portal inbound: bad or missing signature on %s from %s", request.path, request.META.get("REMOTE_ADDR")
            )
            raise exceptions.AuthenticationFailed("Chữ ký X-Portal-Signature không hợp lệ.")
        return NationalPortal(), None

    def authenticate_header(self, request):
        return 'HMAC-SHA256 header="X-Portal-Signature"'


class PortalSignatureScheme(OpenApiAuthenticationExtension):
    target_class = PortalSignatureAuthentication
    name = "portalSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": "sha256=<hex>: HMAC-SHA256 của nội dung gửi với khóa MOTCUA_PORTAL_INBOUND_SECRET",
        }


class IsNationalPortal(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, NationalPortal)


def _first_error(detail, path: str = "") -> str:
    """The first validation error as ``Field[.sub]: message``."""
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        prefix = path if name == "non_field_errors" else f"{path}.{name}" if path else name
        return _first_error(value, prefix)
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                nested = isinstance(value, dict | list)
                return _first_error(value, f"{path}[{index}]" if nested and len(detail) > 1 else path)
        return f"{path}: không hợp lệ."
    return f"{path}: {detail}" if path else str(detail)


class PortalEndpoint(APIView):
    authentication_classes = [PortalSignatureAuthentication]
    permission_classes = [IsNationalPortal]
    serializer_class: type[BaseSerializer]  # each endpoint names its own

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            response = Response(
                {"error_code": "01", "message": "Chữ ký X-Portal-Signature không hợp lệ."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
            response["WWW-Authenticate"] = PortalSignatureAuthentication().authenticate_header(self.request)
            return response
        if isinstance(exc, exceptions.ValidationError):
            return self._refuse(_first_error(exc.detail), str(exc.detail))
        if isinstance(exc, exceptions.ParseError):
            return self._refuse("Nội dung không phải JSON hợp lệ.", str(exc))
        if isinstance(exc, UserError):
            return self._refuse(exc.message, exc.log_message)
        return super().handle_exception(exc)

    def _refuse(self, message: str, log_message: str) -> Response:
        logger.info("portal inbound %s refused: %s", self.request.path, log_message)
        return Response({"error_code": "02", "message": message}, status=status.HTTP_400_BAD_REQUEST)

    def post(self, request):
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Nội dung phải là một đối tượng JSON."]})
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.apply(serializer.validated_data)
        return Response({"error_code": "00"})

    def apply(self, data: dict) -> None:
        raise NotImplementedError


def _documented(serializer, summary: str):
    return extend_schema(
        request=serializer,
        responses={200: AnswerSerializer, 400: AnswerSerializer, 401: AnswerSerializer},
        summary=summary,
        tags=["Cổng DVCQG gửi đến"],
    )


@_documented(OnlineDossierSerializer, "Hồ sơ trực tuyến (hoặc hồ sơ bổ sung) nộp trên Cổng DVCQG; khóa MaHoSo")
class OnlineDossierEndpoint(PortalEndpoint):
    serializer_class = OnlineDossierSerializer

    def apply(self, data):
        dossier, outcome = inbound.receive_online_dossier(data)
        logger.info("portal inbound: dossier %s %s", dossier.code, outcome)


@_documented(PaymentSerializer, "Thanh toán trực tuyến phí, lệ phí; khóa MaGiaoDich")
class PaymentEndpoint(PortalEndpoint):
    serializer_class = PaymentSerializer

    def apply(self, data):
        payment, created = inbound.record_payment(data)
        if created and payment.amount_mismatch:
            logger.warning(
                "portal inbound: payment %s of %s is %s, fees due %s",
                payment.transaction_id,
                data["MaHoSo"],
                payment.amount,
                payment.amount_due,
            )


@_documented(RatingSerializer, "Đánh giá mức độ hài lòng về giải quyết hồ sơ; khóa MaHoSo + ThoiDiem")
class RatingEndpoint(PortalEndpoint):
    serializer_class = RatingSerializer

    def apply(self, data):
        inbound.record_rating(data)


@_documented(ComplaintSerializer, "Phản ánh, kiến nghị gửi qua Cổng DVCQG; khóa MaPAKN")
class ComplaintEndpoint(PortalEndpoint):
    serializer_class = ComplaintSerializer

    def apply(self, data):
        inbound.register_complaint(data)
