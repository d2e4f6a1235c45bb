"""Sign-in with VNeID through OpenID Connect (authorization code + PKCE), with mozilla-django-oidc.

The provider's claim ``MOTCUA_OIDC_ID_CLAIM`` (``sub`` by default) carries the person's số định
danh cá nhân (12 digits). An official's account is linked to it by an administrator
(:class:`~motcua.access.models.ExternalIdentity`, provider ``vneid``, subject = the number): nobody
gets an account by signing in, and an unlinked or inactive account is refused. Positions and
permissions stay where they are (:mod:`motcua.org`), so the login method changes nothing else.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .identity import user_for_identity

logger = logging.getLogger("motcua.access")
PROVIDER = "vneid"
PERSONAL_ID = re.compile(r"^\d{12}$")


class VNeIDBackend(OIDCAuthenticationBackend):
    """An official signs in with VNeID; the account is the one linked to their số định danh cá nhân."""

    def _number(self, claims) -> str:
        return str(claims.get(settings.MOTCUA_OIDC_ID_CLAIM) or "").strip()

    def verify_claims(self, claims) -> bool:
        number = self._number(claims)
        if not PERSONAL_ID.match(number):
            logger.warning(
                "VNeID sign-in refused: claim %s is not a 12-digit personal number", settings.MOTCUA_OIDC_ID_CLAIM
            )
            return False
        return True

    def describe_user_by_claims(self, claims) -> str:
        number = self._number(claims)
        return f"personal number …{number[-3:]}" if number else "no personal number"

    def filter_users_by_claims(self, claims):
        user = user_for_identity(PROVIDER, self._number(claims))
        if user is None:
            logger.info(
                "VNeID sign-in refused: %s is linked to no active account", self.describe_user_by_claims(claims)
            )
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(pk=user.pk)

    def create_user(self, claims):  # never: officials' accounts are made and linked by an administrator
        return None

    def update_user(self, user, claims):
        return user


def configured() -> bool:
    return bool(settings.MOTCUA_OIDC_CLIENT_ID)


class SignInRequestView(OIDCAuthenticationRequestView):
    """The redirect to VNeID (with the PKCE challenge); 404 while no VNeID client is configured."""

    def get(self, request):
        if not configured():
            raise Http404("VNeID sign-in is not configured")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from VNeID: a refusal is explained in Vietnamese on the sign-in page."""

    @property
    def failure_url(self):
        return reverse("access:login")

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Không đăng nhập được bằng VNeID: tài khoản VNeID này chưa được liên kết với tài khoản cán bộ nào "
                "(hoặc tài khoản đã bị khóa). Đề nghị quản trị viên liên kết theo số định danh cá nhân."
            ),
        )
        return super().login_failure()
