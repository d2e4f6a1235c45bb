"""Linking officials to VNeID (by số định danh cá nhân) and the list of those not linked yet."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ExternalIdentity, UnlinkedOfficial
from .oidc import PERSONAL_ID, PROVIDER


class ExternalIdentityForm(forms.ModelForm):
    class Meta:
        model = ExternalIdentity
        fields = ["user", "provider", "subject"]

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns (its stub allows None for overrides)
        if data.get("provider") == PROVIDER and not PERSONAL_ID.match(data.get("subject") or ""):
            self.add_error("subject", _("Số định danh cá nhân gồm 12 chữ số."))
        return data


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    form = ExternalIdentityForm
    list_display = ["user", "provider", "subject", "linked_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "subject"]
    autocomplete_fields = ["user"]

    def get_changeform_initial_data(self, request):
        return {"provider": PROVIDER, **super().get_changeform_initial_data(request)}


@admin.register(UnlinkedOfficial)
class UnlinkedOfficialAdmin(admin.ModelAdmin):
    """Read-only: who still signs in with a password only; link them with «Định danh bên ngoài»."""

    list_display = ["username", "first_name", "last_name", "units", "last_login"]
    search_fields = ["username", "first_name", "last_name"]
    ordering = ["username"]

    @admin.display(description=_("đơn vị, vai trò"))
    def units(self, obj):
        return "; ".join(
            f"{p.unit.code} ({p.get_role_display()})"
            for p in obj.positions.filter(is_active=True).select_related("unit")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(~Q(external_identities__provider=PROVIDER))
