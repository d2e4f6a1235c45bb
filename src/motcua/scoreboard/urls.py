from django.urls import path

from . import views

app_name = "scoreboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("don-vi/<str:unit_code>/", views.unit, name="unit"),
    path("ho-so-tre-han/", views.late_dossiers, name="late-dossiers"),
    path("can-bo-tre-han/", views.late_officials, name="late-officials"),
    path("cong-bo-tthc/", views.publications, name="publications"),
    path("xuat-excel/", views.export, name="export"),
    path("tinh-lai/", views.compute, name="compute"),
]
