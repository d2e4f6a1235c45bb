"""The public pages (Vietnamese slugs) and the two staff pages that belong to them (kiosk, follow-ups)."""

from django.urls import path

from .views import catalogue, complaints, followups, kiosk, tracking

app_name = "public"
urlpatterns = [
    path("thu-tuc/", catalogue.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", catalogue.procedure, name="procedure"),
    path("don-vi/<str:unit_code>/", catalogue.unit_page, name="unit"),
    path("nhung/<str:unit_code>/", catalogue.embed, name="embed"),
    path("nhung/<str:unit_code>/thu-tuc/<str:code>/", catalogue.embed_procedure, name="embed-procedure"),
    path("tra-cuu-ho-so/", tracking.track, name="track-form"),
    path("tra-cuu-ho-so/<str:token>/", tracking.tracked, name="track"),
    path("tra-cuu-ho-so/<str:token>/danh-gia/", tracking.rate, name="rate"),
    path("phan-anh-kien-nghi/", complaints.complaint_list, name="complaints"),
    path("phan-anh-kien-nghi/<str:code>/", complaints.complaint, name="complaint"),
    path("danh-gia-tai-quay/", kiosk.kiosk_home, name="kiosk-home"),
    path("danh-gia-tai-quay/<str:unit_code>/", kiosk.kiosk, name="kiosk"),
    path("danh-gia-tai-quay/<str:unit_code>/<str:code>/", kiosk.kiosk_rate, name="kiosk-rate"),
    path("danh-gia-tai-quay/<str:unit_code>/<str:code>/ly-do/", kiosk.kiosk_reasons, name="kiosk-reasons"),
    path("can-bo/theo-doi-danh-gia/", followups.follow_ups, name="follow-ups"),
    path("can-bo/theo-doi-danh-gia/<int:pk>/dong/", followups.close, name="follow-up-close"),
]
