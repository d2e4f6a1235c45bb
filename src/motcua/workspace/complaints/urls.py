"""The complaints desk under /can-bo/phan-anh/ (namespace ``workspace``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("phan-anh/", views.queue, name="complaints"),
    path("phan-anh/ghi-nhan/", views.intake, name="complaint-intake"),
    path("phan-anh/<str:code>/", views.complaint, name="complaint"),
    path("phan-anh/<str:code>/thao-tac/<slug:action>/", views.complaint_action, name="complaint-action"),
]
