from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "motcua.files"
    label = "files"
    verbose_name = "Tệp hồ sơ điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from motcua.core.audit import register

        from .models import StoredFile

        register(StoredFile)
