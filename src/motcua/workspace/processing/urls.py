from django.urls import path

from . import views

urlpatterns = [
    path("viec-cua-toi/", views.queue, name="queue"),
    path("tra-cuu/", views.search, name="search"),
]
