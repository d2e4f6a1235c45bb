"""Writing notifications in the event's transaction, and delivering them in the worker, each once.

``write`` adds one row per channel and recipient, unique on (kind, object, channel, recipient), in the
transaction of the event it tells about: a rollback takes it away, a replay of the event finds it
there and adds nothing. After the commit each new row is queued (a huey task: never inside the
request). ``deliver`` claims a row (pending or failed → sending, in one UPDATE, so two workers never
send the same row), renders its Vietnamese template, hands it to the channel and records the outcome;
a failure is retried by huey up to ``MAX_ATTEMPTS`` in all. Only a worker killed between handing a
message over and recording it can send it twice (``resend_stalled`` retries such a row after
``STALLED_AFTER``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .channels import Message, enabled_channels, get_channel, normalise
from .models import ChannelName, Kind, Notification, OptOut

logger = logging.getLogger("motcua.notifications")

MAX_ATTEMPTS = 5
#: A row still "sending" this long after its last attempt belonged to a worker that died.
STALLED_AFTER = timedelta(minutes=30)
#: A row still "pending" this long after it was written lost its queue entry (the worker's queue was reset).
LOST_AFTER = timedelta(minutes=10)
UNSUBSCRIBE_SALT = "motcua.notifications.unsubscribe"
S = Notification.State


class DeliveryFailed(Exception):
    """Raised by the task so that huey retries it."""


def opted_out(channel: str, recipient: str) -> bool:
    return OptOut.objects.filter(recipient=recipient, channel__in=[channel, ""]).exists()


def write(
    kind: str,
    object_id,
    *,
    addresses: dict[str, str],
    context: dict,
    reference: str = "",
    channels: list[str] | None = None,
    using: str = "default",
) -> list[int]:
    """The rows telling ``kind`` about ``object_id`` to each address; the ids still to send.

    ``addresses`` maps a channel to an e-mail address or phone number (blank: not on that channel).
    A recipient who opted out gets a ``skipped`` row (what was not sent, and why, stays visible).
    """
    rows = []
    for channel in channels if channels is not None else enabled_channels():
        recipient = normalise(channel, addresses.get(channel, ""))
        if not recipient:
            continue
        state = S.SKIPPED if opted_out(channel, recipient) else S.PENDING
        rows.append(
            Notification(
                kind=kind,
                object_id=str(object_id),
                channel=channel,
                recipient=recipient,
                reference=reference[:64],
                context=context,
                state=state,
            )
        )
    if not rows:
        return []
    Notification.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.using(using)
        .filter(
            kind=kind,
            object_id=str(object_id),
            recipient__in=[r.recipient for r in rows],
            state=S.PENDING,
        )
        .values_list("pk", flat=True)
    )


def enqueue(ids: list[int]) -> None:
    """Queue the sending of each row (a huey task each); an error here never reaches the caller."""
    from .tasks import send_notification

    for pk in ids:
        try:
            send_notification(pk)
        except Exception:  # noqa: BLE001 - the periodic resend_stalled picks it up
            logger.exception("could not queue notification %s", pk)


def enqueue_on_commit(ids: list[int], using: str = "default") -> None:
    if ids:
        transaction.on_commit(lambda: enqueue(ids), using=using)


# --- rendering ---------------------------------------------------------------------------------------------


def unsubscribe_url(notification: Notification) -> str:
    token = signing.dumps(notification.pk, salt=UNSUBSCRIBE_SALT)
    return settings.MOTCUA_PUBLIC_URL + reverse("notifications:unsubscribe", args=[token])


def render(notification: Notification) -> Message:
    """The Vietnamese message from ``templates/notifications/<kind>*.txt`` and the context taken at the event."""
    kind = notification.kind
    if notification.channel != ChannelName.EMAIL:
        body: str = render_to_string(f"notifications/{kind}_short.txt", notification.context)
        return Message("", " ".join(body.split()))
    context = dict(notification.context)
    headers = {}
    if kind != Kind.STAFF_DIGEST:
        context["unsubscribe_url"] = unsubscribe_url(notification)
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    subject = " ".join(render_to_string(f"notifications/{kind}_subject.txt", context).split())
    body = render_to_string(f"notifications/{kind}.txt", context).strip() + "\n"
    return Message(subject[:255], body, headers)


# --- delivery ----------------------------------------------------------------------------------------------


def deliver(notification_id: int) -> str:
    """Send one notification if it is still to be sent; its state afterwards.

    Raises :class:`DeliveryFailed` when the channel failed and attempts remain (huey retries).
    """
    claimed = Notification.objects.filter(
        pk=notification_id,
        state__in=[S.PENDING, S.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(state=S.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now())
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return "missing"
    if not claimed:  # sent, skipped, being sent by another worker, or out of attempts
        return notification.state
    if opted_out(notification.channel, notification.recipient):
        _finish(notification, S.SKIPPED)
        logger.info(
            "notification %s skipped: %s opted out of %s", notification.pk, notification.recipient, notification.channel
        )
        return S.SKIPPED
    try:
        message = render(notification)
        get_channel(notification.channel).send(notification.recipient, message)
    except Exception as exc:  # noqa: BLE001 - a channel, template or backend error: recorded, retried
        _finish(notification, S.FAILED, last_error=str(exc)[:2000])
        final = notification.attempts >= MAX_ATTEMPTS
        logger.warning(
            "notification %s (%s via %s) failed on attempt %s%s: %s",
            notification.pk,
            notification.kind,
            notification.channel,
            notification.attempts,
            " (giving up)" if final else "",
            exc,
        )
        if final:
            return S.FAILED
        raise DeliveryFailed(str(exc)) from exc
    _finish(notification, S.SENT, subject=message.subject, body=message.body, sent_at=timezone.now(), last_error="")
    logger.info("notification %s sent: %s via %s", notification.pk, notification.kind, notification.channel)
    return S.SENT


def _finish(notification: Notification, state: str, **fields) -> None:
    notification.state = state
    for name, value in fields.items():
        setattr(notification, name, value)
    notification.save(update_fields=["state", "updated_at", *fields])


def resend_stalled(now=None) -> int:
    """Queue again the rows a worker lost: pending for ``LOST_AFTER``, or sending for ``STALLED_AFTER``."""
    now = now or timezone.now()
    stalled = list(
        Notification.objects.filter(
            state=S.SENDING, updated_at__lt=now - STALLED_AFTER, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:1000]
    )
    Notification.objects.filter(pk__in=stalled, state=S.SENDING).update(
        state=S.FAILED, last_error="interrupted while sending", updated_at=now
    )
    lost = list(
        Notification.objects.filter(
            state__in=[S.PENDING, S.FAILED],
            attempts__lt=MAX_ATTEMPTS,
            updated_at__lt=now - LOST_AFTER,
        ).values_list("pk", flat=True)[:1000]
    )
    ids = sorted(set(stalled) | set(lost))
    if ids:
        logger.info("notifications queued again after a lost worker: %s", len(ids))
    enqueue(ids)
    return len(ids)
