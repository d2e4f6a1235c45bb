"""Where a notification goes: one interface, an e-mail implementation and logging stand-ins for SMS and Zalo.

A channel sends one rendered message to one recipient and raises :class:`ChannelError` when it
cannot (the delivery is then retried). SMS and Zalo are provided by each province's contracted
gateways; until one is configured (``MOTCUA_SMS_CHANNEL``, ``MOTCUA_ZALO_CHANNEL``: a dotted path
to a class with this interface) their messages are written to the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from motcua.core.text import email_key, phone_key

logger = logging.getLogger("motcua.notifications")


class ChannelError(Exception):
    """The message could not be handed to the channel (the delivery will be retried)."""


@dataclass(frozen=True)
class Message:
    subject: str  # e-mail only
    body: str
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    """Sends one message to one recipient (an e-mail address or a phone number)."""

    name: str

    def send(self, recipient: str, message: Message) -> None: ...


class EmailChannel:
    """Through Django's e-mail framework (EMAIL_BACKEND: console or file in the demo, SMTP in production)."""

    name = "email"

    def send(self, recipient: str, message: Message) -> None:
        email = EmailMessage(
            message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [recipient], headers=message.headers or None
        )
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - SMTP, socket, backend errors alike
            raise ChannelError(f"e-mail to {recipient} failed: {exc}") from exc


class LoggingSmsChannel:
    """Writes the SMS to the log (logger ``motcua.notifications``) instead of a gateway."""

    name = "sms"

    def send(self, recipient: str, message: Message) -> None:
        logger.info("SMS to %s: %s", recipient, message.body)


class LoggingZaloChannel:
    """Writes the Zalo message to the log instead of the Zalo Notification Service."""

    name = "zalo"

    def send(self, recipient: str, message: Message) -> None:
        logger.info("Zalo to %s: %s", recipient, message.body)


_DEFAULTS: dict[str, type[Channel]] = {"email": EmailChannel, "sms": LoggingSmsChannel, "zalo": LoggingZaloChannel}
_SETTINGS = {"sms": "MOTCUA_SMS_CHANNEL", "zalo": "MOTCUA_ZALO_CHANNEL"}


def get_channel(name: str) -> Channel:
    """The configured channel called ``name``."""
    setting = _SETTINGS.get(name)
    path = getattr(settings, setting, "") if setting else ""
    cls: type[Channel] = import_string(path) if path else _DEFAULTS[name]
    return cls()


def enabled_channels() -> list[str]:
    """Channels citizens are notified on (``MOTCUA_NOTIFY_CHANNELS``, default every one)."""
    value = getattr(settings, "MOTCUA_NOTIFY_CHANNELS", ("email", "sms", "zalo"))
    return [name for name in value if name in _DEFAULTS]


def normalise(channel: str, address: str) -> str:
    """One spelling per recipient: a lower-case e-mail address, a phone number as 0XXXXXXXXX."""
    return email_key(address) if channel == "email" else phone_key(address)
