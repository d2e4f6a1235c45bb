from django.contrib import admin

from .models import Notification, OptOut


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "reference", "channel", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["reference", "recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["recipient", "channel", "source", "created_at"]
    list_filter = ["channel", "source"]
    search_fields = ["recipient"]
