"""User-facing errors: one clear sentence in Vietnamese for people, English for the logs."""

from __future__ import annotations

import logging

logger = logging.getLogger("motcua")


class UserError(Exception):
    """Bad input or a refused action. Never shown as a traceback.

    ``message`` is Vietnamese (what the user reads); ``log_message`` is English
    (what the operator greps). Both say what was wrong and, where useful, where.
    """

    exit_code = 2

    def __init__(self, message: str, log_message: str | None = None, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.log_message = log_message or message
        self.code = code

    def __str__(self) -> str:
        return self.message


class TransitionError(UserError):
    """An action that the dossier lifecycle does not allow in the current state."""
