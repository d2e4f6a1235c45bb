"""Follow-up pages under /can-bo/ (namespace ``workspace``): portal sync, complaints, payments to check."""

from django.urls import path

from . import views

urlpatterns = [
    path("dong-bo/", views.portal_sync, name="portal-sync"),
    path("dong-bo/gui-lai/", views.portal_resend, name="portal-resend"),
    path("phan-anh/", views.complaints, name="complaints"),
    path("thanh-toan-can-kiem-tra/", views.payment_mismatches, name="payment-mismatches"),
]
