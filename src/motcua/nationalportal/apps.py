from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalPortalConfig(AppConfig):
    """The link with Cổng Dịch vụ công quốc gia: outbound outbox and relay, inbound signed endpoints."""

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")
