"""The one-stop desk under /can-bo/mot-cua/ (namespace ``workspace``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("tiep-nhan/", views.receive, name="desk-receive"),
    path("tiep-nhan/thu-tuc/", views.procedure_search, name="desk-procedure-search"),
    path("tiep-nhan/thanh-phan/", views.procedure_part, name="desk-procedure-part"),
    path("tiep-nhan/kiem-tra/", views.check, name="desk-check"),
    path("ho-so/<dossier_code:code>/da-tiep-nhan/", views.received, name="desk-received"),
    path("ho-so/<dossier_code:code>/tiep-nhan/", views.intake_view, name="desk-intake"),
    path("ho-so/<dossier_code:code>/chuyen-xu-ly/", views.start, name="desk-start"),
    path("ho-so/<dossier_code:code>/nhan-bo-sung/", views.complete_supplement, name="desk-complete-supplement"),
    path("ho-so/<dossier_code:code>/tra-ket-qua/", views.return_result, name="desk-return"),
    path("ho-so/<dossier_code:code>/thanh-toan/", views.payment, name="desk-payment"),
    path("ho-so/<dossier_code:code>/tai-su-dung/", views.reuse_papers, name="desk-reuse"),
    path("ho-so/<dossier_code:code>/rut-ho-so/", views.withdrawal, name="desk-withdrawal"),
]
