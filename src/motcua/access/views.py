from django.conf import settings
from django.shortcuts import render


def locked_out(request, response=None, credentials=None):
    """What a locked-out person sees (django-axes' ``AXES_LOCKOUT_CALLABLE``), on the staff and admin
    sign-in pages alike: 429, in Vietnamese, with how long to wait."""
    return render(request, "access/locked_out.html", {"minutes": settings.MOTCUA_LOGIN_LOCKOUT_MINUTES}, status=429)
