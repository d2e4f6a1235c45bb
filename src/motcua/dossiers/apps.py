from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self):
        from django.urls import register_converter

        from motcua.core.audit import register

        from .codes import DossierCodeConverter

        # Before any URLconf is loaded: the dossier pages' URLs accept exactly the codes an import accepts.
        register_converter(DossierCodeConverter, "dossier_code")

        from .models import (
            ApologyLetter,
            Consultation,
            Dossier,
            DossierComponent,
            DossierResult,
            FeeLine,
            Pause,
            Payment,
            Proposal,
            Reception,
            StopNotice,
            SupplementRequest,
        )

        # DossierEvent is itself the append-only audit of the lifecycle; not logged twice.
        register(
            Dossier,
            Reception,
            SupplementRequest,
            Pause,
            Consultation,
            ApologyLetter,
            DossierResult,
            FeeLine,
            Payment,
            Proposal,
            DossierComponent,
            StopNotice,
        )
