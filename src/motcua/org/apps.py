from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"
    verbose_name = _("Tổ chức, đơn vị")

    def ready(self):
        from motcua.core.audit import register

        from .models import Official, Unit

        register(Unit, Official)
