from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("motcua — Quản trị hệ thống giải quyết TTHC")
admin.site.site_title = _("motcua")
admin.site.index_title = _("Quản trị")

urlpatterns = [
    path("admin/", admin.site.urls),
    # The national portal's signed calls (portal-sync.md §2), before the rest of the API.
    path("api/portal/", include("motcua.nationalportal.urls")),
    path("api/", include("motcua.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("motcua.access.urls")),
    # VNeID sign-in (OpenID Connect, mozilla-django-oidc): /oidc/authenticate/, /oidc/callback/
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("can-bo/", include("motcua.workspace.urls")),
    path("bang-diem-766/", include("motcua.scoreboard.urls")),
    path("thong-bao/", include("motcua.notifications.urls")),
    path("", include("motcua.public.urls")),
    path("", include("motcua.web.urls")),
]
handler404 = "motcua.web.views.not_found"
