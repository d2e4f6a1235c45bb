"""Password sign-in: Django's ModelBackend, except that production refuses the demo's published password.

The demo (``motcua demo``, :mod:`motcua.org.demo`) gives every account the password printed on screen and
in the source code. Should such an account reach a production database (a copied demo database, a
forgotten reset), it must not open: whoever types the published password, for any account, superuser
included, is refused and the attempt counts as a failed sign-in. The person sees why (the sign-in form
reads :data:`REFUSAL` from the request) and an administrator sets a real password.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from motcua.org.demo import DEMO_PASSWORD

logger = logging.getLogger("motcua.access")

#: Request attribute that carries the reason of a refusal to the sign-in form.
REFUSAL = "motcua_sign_in_refusal"
DEMO_PASSWORD_REFUSED = _(
    "Mật khẩu trình diễn đã được công bố nên không dùng được trên hệ thống chính thức. "
    "Đề nghị quản trị viên đặt mật khẩu mới cho tài khoản này."
)


VNEID_ONLY_REFUSED = _("Hệ thống chỉ cho phép đăng nhập bằng VNeID. Đề nghị bấm «Đăng nhập bằng VNeID».")


class PasswordBackend(ModelBackend):
    """Passwords, except the demo's in production, and — in VNeID-only mode (``MOTCUA_VNEID_ONLY``) — except
    for everyone but the break-glass administrators named in ``MOTCUA_BREAK_GLASS_USERS``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if settings.PRODUCTION and password is not None and constant_time_compare(password, DEMO_PASSWORD):
            logger.warning("sign-in refused: the published demo password, username=%r", username)
            if request is not None:
                setattr(request, REFUSAL, DEMO_PASSWORD_REFUSED)
            raise PermissionDenied("the published demo password")  # stops the other backends too
        if settings.MOTCUA_VNEID_ONLY and password is not None and username not in settings.MOTCUA_BREAK_GLASS_USERS:
            logger.warning("sign-in refused: password sign-in is off (VNeID only), username=%r", username)
            if request is not None:
                setattr(request, REFUSAL, VNEID_ONLY_REFUSED)
            raise PermissionDenied("password sign-in is off")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and settings.MOTCUA_VNEID_ONLY:
            logger.warning("break-glass password sign-in: username=%r", username)
        return user
