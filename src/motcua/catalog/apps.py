from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = _("Danh mục thủ tục hành chính")

    def ready(self):
        from motcua.core.audit import register

        from .models import (
            ComponentSpec,
            FeeSpec,
            OnlineService,
            Procedure,
            ProcedureCase,
            ProcedureVersion,
            PublicationDecision,
            PublicationItem,
            Workflow,
            WorkflowStep,
        )

        register(
            Procedure,
            ProcedureVersion,
            ProcedureCase,
            ComponentSpec,
            FeeSpec,
            OnlineService,
            PublicationDecision,
            PublicationItem,
            Workflow,
            WorkflowStep,
        )
