"""Limits on failed sign-ins, per account and per client address (django-axes with two limits).

django-axes records each failed sign-in (the staff page, the admin, anything that calls Django's
``authenticate``) and refuses further attempts while a limit is reached. Its stock handler applies one
limit to every lockout parameter; here an account is locked after
``MOTCUA_LOGIN_FAILURES_PER_ACCOUNT`` failures from anywhere (password guessing on one account), and a
client address after ``MOTCUA_LOGIN_FAILURES_PER_CLIENT`` failures on any accounts (one password tried on
many accounts), which is set higher because a whole office shares one address. Both count the failures
of the last ``MOTCUA_LOGIN_LOCKOUT_MINUTES``; the lock ends when they are that old. A successful sign-in
does not wipe the count: with a valid account of their own, someone could otherwise clear their
address's failures on other accounts.
"""

from __future__ import annotations

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, behind ``MOTCUA_PROXY_COUNT`` reverse proxies that each
    append to ``X-Forwarded-For``, the address the outermost proxy saw (entries left of it can be forged)."""
    proxies = settings.MOTCUA_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_period(request=None) -> timedelta:
    """How long failures count, and so how long a lock lasts (``AXES_COOLOFF_TIME``)."""
    return timedelta(minutes=settings.MOTCUA_LOGIN_LOCKOUT_MINUTES)


def axes_failure_limit(request=None, credentials=None) -> int:
    """axes' own single limit (``AXES_FAILURE_LIMIT``): the larger of the two, so that it never locks
    before :class:`SignInAttempts` does."""
    return max(settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT, settings.MOTCUA_LOGIN_FAILURES_PER_CLIENT)


class SignInAttempts(AxesDatabaseHandler):
    """django-axes' database handler with a limit per account and another per client address."""

    def failures(self, request, credentials: dict | None = None) -> tuple[int, int]:
        """Recent failures of (the account named in the attempt, the client address)."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)

        def total(attempts) -> int:
            return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

        return (
            total(recent.filter(username=username)) if username else 0,
            total(recent.filter(ip_address=request.axes_ip_address)),
        )

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if not axes_settings.AXES_LOCK_OUT_AT_FAILURE:  # a default axes sets at import
            return False
        account, client = self.failures(request, credentials)
        return (
            account >= settings.MOTCUA_LOGIN_FAILURES_PER_ACCOUNT or client >= settings.MOTCUA_LOGIN_FAILURES_PER_CLIENT
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Record the failure (axes), then lock if either limit is now reached."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or not self.is_locked(request, credentials):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
