"""The link at the foot of every e-mail: the recipient stops e-mail notifications (no sign-in, signed token)."""

from __future__ import annotations

import logging

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .delivery import UNSUBSCRIBE_SALT
from .models import Notification, OptOut

logger = logging.getLogger("motcua.notifications")


def _masked(recipient: str) -> str:
    """ "an.nguyen@example.vn" → "a******n@example.vn"; a phone number keeps its last 3 digits."""
    if "@" in recipient:
        name, _, domain = recipient.partition("@")
        return (name[0] + "*" * max(len(name) - 2, 1) + name[-1] if len(name) > 1 else "*") + "@" + domain
    return "*" * max(len(recipient) - 3, 0) + recipient[-3:]


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (mail scanners follow links), POST records the opt-out."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("Liên kết không hợp lệ.") from None
    notification = Notification.objects.filter(pk=pk).first()
    if notification is None:
        raise Http404("Liên kết không hợp lệ.")
    done = False
    if request.method == "POST":
        _opt_out, created = OptOut.objects.get_or_create(
            recipient=notification.recipient, channel=notification.channel, defaults={"source": "link"}
        )
        if created:
            logger.info("opt-out recorded from an e-mail link: %s on %s", notification.recipient, notification.channel)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "recipient": _masked(notification.recipient),
            "channel": notification.get_channel_display(),
            "done": done,
        },
    )
