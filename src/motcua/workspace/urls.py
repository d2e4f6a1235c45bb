from django.urls import include, path

from . import documents, files, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    # the one-stop desk (workspace.desk) and processing: queue, dossier page, step actions (workspace.processing)
    path("mot-cua/", include("motcua.workspace.desk.urls")),
    path("", include("motcua.workspace.processing.urls")),
    # the complaints desk (workspace.complaints)
    path("", include("motcua.workspace.complaints.urls")),
    # follow-up lists: portal sync (administrators), payments to check (workspace.oversight)
    path("", include("motcua.workspace.oversight.urls")),
    path("ho-so/<dossier_code:code>/bieu-mau/<slug:kind>.pdf", documents.dossier_form, name="dossier-form"),
    path("ho-so/<dossier_code:code>/tep/thanh-phan/<int:pk>/", files.component_file, name="component-file"),
    path("ho-so/<dossier_code:code>/tep/ket-qua/<str:sha256>/", files.result_file, name="result-file"),
    path("so-theo-doi/<str:unit_code>/", documents.tracking_book, name="tracking-book"),
]
