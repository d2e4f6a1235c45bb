"""The audit trail in the admin, in Vietnamese: each entry's changes by the fields' Vietnamese names.

django-auditlog writes its change summary in English ("4 changes: status, …") whatever the language;
this admin replaces it. Its other labels are translated by the project's ``vi`` catalogue (locale/vi).
"""

from auditlog.admin import LogEntryAdmin as AuditlogEntryAdmin
from auditlog.models import LogEntry
from auditlog.render import get_field_verbose_name
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

#: Field names listed in the changelist's summary before "…".
SHOWN_FIELDS = 5

if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogEntryAdmin):
    @admin.display(description=_("Thay đổi"))
    def msg_short(self, obj):
        if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        changes = obj.changes_dict
        names = [str(get_field_verbose_name(obj, name)) for name in changes]
        listed = ", ".join(names[:SHOWN_FIELDS]) + (", …" if len(names) > SHOWN_FIELDS else "")
        return f"{len(changes)} thay đổi: {listed}"
