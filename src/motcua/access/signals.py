"""Failed and refused sign-ins go to the log (English), with the account name tried and the client address."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .throttle import client_address

logger = logging.getLogger("motcua.access")


@receiver(user_login_failed, dispatch_uid="motcua.access.log_failed_sign_in")
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the account name is logged.
    logger.warning(
        "sign-in failed: username=%r client=%s path=%s",
        credentials.get("username"),
        client_address(request) if request is not None else None,
        getattr(request, "path", None),
    )


@receiver(user_locked_out, dispatch_uid="motcua.access.log_lockout")
def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning(
        "sign-in locked: username=%r client=%s (limits: %d failures per account, %d per client, %d minutes)",
        username,
        ip_address,
        settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT,
        settings.MOTCUA_LOGIN_FAILURES_PER_CLIENT,
        settings.MOTCUA_LOGIN_LOCKOUT_MINUTES,
    )
