from django.urls import path

from . import portal_simulator, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("gia-lap-cong/", portal_simulator.portal_simulator, name="portal-simulator"),
]
