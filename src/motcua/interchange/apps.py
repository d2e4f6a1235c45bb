from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "motcua.interchange"
    label = "interchange"
    verbose_name = _("Trao đổi dữ liệu")

    def ready(self):
        from motcua.core.audit import register

        from .models import ReferenceCount

        register(ReferenceCount)
