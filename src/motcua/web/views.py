from django.conf import settings
from django.shortcuts import render


def home(request):
    return render(request, "web/home.html", {"demo_portal": settings.MOTCUA_DEMO_PORTAL})
