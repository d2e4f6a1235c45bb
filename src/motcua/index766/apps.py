from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Index766Config(AppConfig):
    name = "motcua.index766"
    label = "index766"
    verbose_name = _("Bộ chỉ số 766")

    def ready(self):
        from .signals import connect

        connect()  # live recomputation after dossier events (signals.py)
