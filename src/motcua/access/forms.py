from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .backends import REFUSAL


class SignInForm(AuthenticationForm):
    """Username/password sign-in with Vietnamese messages (OIDC/VNeID plugs in beside it later)."""

    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản đã bị khóa."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def get_invalid_login_error(self):
        """Why a backend refused the sign-in, when it said (e.g. the demo password in production)."""
        reason = getattr(self.request, REFUSAL, None)
        return ValidationError(reason, code="refused") if reason else super().get_invalid_login_error()
