"""What every workspace view needs: the dossier the user may see, and actions run safely.

Views stay thin: they authorize with :mod:`motcua.access.policy`, call one
service of :mod:`motcua.dossiers.services`, and turn a refused action
(:class:`~motcua.core.errors.UserError`) into a Vietnamese message instead of
an error page. The service has already left the database as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404

from motcua.access import policy
from motcua.core.errors import UserError
from motcua.dossiers.models import Dossier

logger = logging.getLogger("motcua.workspace")


def dossier_for(request, code: str, action: policy.Action = policy.Action.VIEW, queryset=None) -> Dossier:
    """The dossier ``code`` if the user may do ``action`` on it; 404 if they may not even see it."""
    queryset = (
        queryset
        if queryset is not None
        else Dossier.objects.select_related(
            "procedure", "handling_unit", "receiving_unit", "current_step", "current_assignee", "case"
        )
    )
    dossier = queryset.filter(code=code).first()
    if dossier is None or not policy.can(request.user, policy.Action.VIEW, dossier):
        raise Http404("Không tìm thấy hồ sơ.")  # do not reveal that a dossier exists elsewhere
    if action != policy.Action.VIEW:
        policy.authorize(request.user, action, dossier)
    return dossier


def run_action(request, action: Callable, *, success: str = ""):
    """Run a service call; on refusal add its Vietnamese message and return None."""
    try:
        result = action()
    except UserError as error:
        logger.info("action refused for user %s: %s", request.user.pk, error.log_message)
        messages.error(request, error.message)
        return None
    if success:
        messages.success(request, success)
    return result
