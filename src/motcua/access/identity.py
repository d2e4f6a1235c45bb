"""The authentication layer an OIDC (VNeID) login plugs into.

Whatever proves who the person is (password now, an OIDC id_token later), the
rest of motcua only needs the Django user; positions and permissions come from
:mod:`motcua.org` and :mod:`motcua.access.policy`. A later OIDC backend (e.g.
mozilla-django-oidc's ``OIDCAuthenticationBackend``) overrides its user lookup
with :func:`user_for_identity` and is added to ``MOTCUA_AUTH_BACKENDS``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import ExternalIdentity


def user_for_identity(provider: str, subject: str):
    """The active local account linked to ``provider``/``subject``, or None (no self-registration for staff)."""
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=subject, user__is_active=True)
        .first()
    )
    return link.user if link else None


def link_identity(user, provider: str, subject: str) -> ExternalIdentity:
    """Link an external identity to a local account (done by an administrator)."""
    link, _ = ExternalIdentity.objects.update_or_create(provider=provider, subject=subject, defaults={"user": user})
    return link


def active_users():
    return get_user_model().objects.filter(is_active=True)
