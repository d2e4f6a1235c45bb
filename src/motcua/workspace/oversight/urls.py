"""Follow-up pages under /can-bo/ (namespace ``workspace``): portal sync, payments to check."""

from django.urls import path

from . import views

urlpatterns = [
    path("dong-bo/", views.portal_sync, name="portal-sync"),
    path("dong-bo/gui-lai/", views.portal_resend, name="portal-resend"),
    path("thanh-toan-can-kiem-tra/", views.payment_mismatches, name="payment-mismatches"),
]
