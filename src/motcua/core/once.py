"""One-time form tokens: a state-changing form is recorded once, however often it is sent.

Each rendered form carries a fresh random token (``{% form_token %}``, field ``form_token``).
:class:`OnceMiddleware` runs a POST that carries one in a single transaction that first inserts the
token (unique) and then runs the view, so the token and whatever the service writes commit together or
not at all. A second POST with the same token — a double click, a reload, a retry after a timeout —
waits for the first (row lock on PostgreSQL, the single writer on SQLite), finds the token taken and is
answered with the first one's redirect and a notice, without running the view again.

Only a POST that succeeded (answered with a redirect, the workspace's PRG) keeps its token: a refused or
invalid one leaves nothing behind and the same form may be corrected and sent again. A POST without a token
(API clients, scripts) is handled as before.
"""

from __future__ import annotations

import logging
import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

logger = logging.getLogger("motcua.core")

FIELD = "form_token"
#: The response header htmx follows after a POST (django_htmx's HttpResponseClientRedirect sets it).
HX_REDIRECT = "HX-Redirect"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _redirect_of(response) -> str:
    if response.status_code in (301, 302, 303) and response.get("Location"):
        return response["Location"]
    return response.get(HX_REDIRECT, "")


class OnceMiddleware:
    """Placed after authentication and messages: needs ``request.user`` and the message store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        token = (request.POST.get(FIELD) or "").strip()[:64]
        if not token:
            return self.get_response(request)
        from .models import FormSubmission

        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = FormSubmission.objects.create(token=token, user=user, path=request.path[:300])
            except IntegrityError:
                return self._repeated(request, token)
            response = self.get_response(request)
            target = _redirect_of(response)
            if target:
                submission.redirect_to = target[:500]
                submission.save(update_fields=["redirect_to"])
            else:  # refused or invalid: nothing was recorded, the same form may be sent again
                submission.delete()
        return response

    def _repeated(self, request, token):
        from .models import FormSubmission

        first = FormSubmission.objects.filter(token=token).values_list("redirect_to", flat=True).first() or ""
        logger.info("repeated submission of form token %s… to %s ignored", token[:6], request.path)
        messages.info(
            request, _("Thao tác này đã được ghi nhận từ lần gửi trước; lần gửi lặp lại không được ghi thêm.")
        )
        target = first or request.META.get("HTTP_REFERER") or request.path
        if request.headers.get("HX-Request"):
            response = HttpResponseRedirect(target)
            response.status_code = 200
            response[HX_REDIRECT] = target
            return response
        return HttpResponseRedirect(target)
