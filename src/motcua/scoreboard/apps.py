from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoreboardConfig(AppConfig):
    name = "motcua.scoreboard"
    verbose_name = _("Bảng điểm 766")
