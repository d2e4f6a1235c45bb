from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import SignInForm


class SignInView(auth_views.LoginView):
    """Password sign-in beside "Đăng nhập bằng VNeID"; in VNeID-only mode the form is for break-glass only."""

    template_name = "access/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "vneid": bool(settings.MOTCUA_OIDC_CLIENT_ID),
            "vneid_only": settings.MOTCUA_VNEID_ONLY,
        }


app_name = "access"
urlpatterns = [
    path("dang-nhap/", SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
