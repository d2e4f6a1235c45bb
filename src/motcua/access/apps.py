from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "motcua.access"
    verbose_name = _("Đăng nhập và phân quyền")

    def ready(self):
        from . import signals  # noqa: F401 - connects the sign-in log
