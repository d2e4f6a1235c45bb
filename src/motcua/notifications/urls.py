from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("tu-choi-nhan/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
