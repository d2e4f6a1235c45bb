from django.urls import path

from . import views

app_name = "nationalportal"
urlpatterns = [
    path("ho-so/", views.OnlineDossierEndpoint.as_view(), name="online-dossier"),
    path("thanh-toan/", views.PaymentEndpoint.as_view(), name="payment"),
    path("danh-gia/", views.RatingEndpoint.as_view(), name="rating"),
    path("pakn/", views.ComplaintEndpoint.as_view(), name="complaint"),
]
