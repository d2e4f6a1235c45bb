from django.urls import path

from . import assignment, views

urlpatterns = [
    path("viec-cua-toi/", views.queue, name="queue"),
    path("tra-cuu/", views.search, name="search"),
    path("trinh-ky/", views.approvals, name="approvals"),
    path("phan-cong/", assignment.assignments, name="assignments"),
    path("phan-cong/<dossier_code:code>/", assignment.assign, name="assign"),
    path("ho-so/<dossier_code:code>/", views.dossier, name="dossier"),
    path("ho-so/<dossier_code:code>/thao-tac/<slug:action>/", views.dossier_action, name="dossier-action"),
]
