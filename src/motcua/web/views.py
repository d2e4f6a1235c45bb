from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import page_not_found


def home(request):
    return render(request, "web/home.html", {"demo_portal": settings.MOTCUA_DEMO_PORTAL})


def not_found(request, exception):
    """404: JSON under /api/ (its clients read JSON, as in the API's own errors), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Không tìm thấy địa chỉ này.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
