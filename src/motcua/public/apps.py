from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The citizens' side: procedure catalogue and its embeddable version, dossier tracking, ratings (web and
    counter kiosk) with the leaders' follow-up of a "not satisfied", published complaint answers.

    A web-layer app: it reads catalog, dossiers, feedback, documents, org and workdays; nothing imports it.
    """

    name = "motcua.public"
    label = "public"
    verbose_name = _("Trang công khai cho người dân")
