from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalPortalConfig(AppConfig):
    """The link with Cổng Dịch vụ công quốc gia: outbound outbox and relay, inbound signed endpoints."""

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self):
        from motcua.core.audit import register

        from . import signals
        from .models import PortalDossier

        signals.connect()
        register(PortalDossier, exclude_fields=["lease_owner", "lease_until", "ready_at", "attempts"])
