"""Refusals reach the user as a Vietnamese page, never as a traceback."""

import logging

from django.shortcuts import render

from motcua.access.policy import AccessDenied
from motcua.core.errors import UserError

logger = logging.getLogger("motcua.workspace")


class UserErrorMiddleware:
    """A :class:`UserError` escaping a view: 403 when access is denied, 400 otherwise; nothing was changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UserError):
            return None
        status = 403 if isinstance(exception, AccessDenied) else 400
        logger.info("%s on %s: %s", status, request.path, exception.log_message)
        template = "errors/user_error_partial.html" if getattr(request, "htmx", False) else "errors/user_error.html"
        return render(request, template, {"message": exception.message, "status": status}, status=status)
