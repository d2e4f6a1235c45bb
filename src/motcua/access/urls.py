from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import SignInForm

app_name = "access"
urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="access/login.html", authentication_form=SignInForm,
                                                  redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
