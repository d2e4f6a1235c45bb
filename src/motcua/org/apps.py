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

        from django.db.models.signals import post_delete, post_save

        from . import tree

        def forget_tree(**_kwargs):
            tree.clear()

        post_save.connect(forget_tree, sender=Unit, dispatch_uid="org-tree-save")
        post_delete.connect(forget_tree, sender=Unit, dispatch_uid="org-tree-delete")
