"""Links between local accounts and external identities (VNeID / OIDC)."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import User, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """An identity asserted by an external provider (e.g. VNeID via OIDC) for a local account.

    Sign-in today is username/password (Django's ModelBackend). An OIDC backend
    plugged in later resolves its ``sub`` claim through this table
    (:func:`motcua.access.identity.user_for_identity`), so officials keep their
    positions, history and audit trail when the login method changes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=32, help_text="vneid, oidc …")
    subject = models.CharField(_("mã định danh"), max_length=255, help_text="OIDC 'sub' claim")
    linked_at = models.DateTimeField(_("liên kết lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("định danh bên ngoài")
        verbose_name_plural = _("định danh bên ngoài")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique")]

    def __str__(self):
        return f"{self.provider}:{self.subject} → {self.user}"


class UnlinkedOfficialManager(UserManager):
    """A user manager (so the proxy keeps ``User.objects``' interface), narrowed to the unlinked officials."""

    use_in_migrations = False  # as before: the proxy's migration state records no manager

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(is_active=True, positions__is_active=True)
            .exclude(external_identities__provider="vneid")
            .distinct()
        )


class UnlinkedOfficial(User):
    """Officials with an active position whose account is not linked to VNeID yet (the admin's to-do list)."""

    objects: ClassVar[UnlinkedOfficialManager] = UnlinkedOfficialManager()

    class Meta:
        proxy = True
        verbose_name = _("cán bộ chưa liên kết VNeID")
        verbose_name_plural = _("cán bộ chưa liên kết VNeID")
