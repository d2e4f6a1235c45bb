from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications to citizens (e-mail, SMS, Zalo) after dossier and complaint events; the staff's daily digest."""

    name = "motcua.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self):
        from motcua.core.audit import register

        from . import signals
        from .models import OptOut

        signals.connect()
        register(OptOut)
