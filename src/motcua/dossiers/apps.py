from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self):
        from motcua.core.audit import register

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
