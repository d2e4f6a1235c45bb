"""The core app's housekeeping in the worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import FormSubmission

logger = logging.getLogger("motcua.core")

#: How long a submitted form's one-time token is kept. A repeat of the same POST (a double click, a reload, a
#: browser retry after a timeout) comes within minutes; a page left open for days gets a fresh token when it
#: is rendered again, so older tokens only fill the table.
FORM_TOKEN_DAYS = 7


def purge_form_submissions(now=None) -> int:
    """Delete the one-time tokens older than :data:`FORM_TOKEN_DAYS`; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=FORM_TOKEN_DAYS)
    deleted, _ = FormSubmission.objects.filter(submitted_at__lt=cutoff).delete()
    if deleted:
        logger.info("%s form tokens older than %s days deleted", deleted, FORM_TOKEN_DAYS)
    return deleted


# huey's clock is UTC: 20:15 UTC is 03:15 in Vietnam (03:15 UTC was 10:15, in office hours).
@db_periodic_task(crontab(hour="20", minute="15"))
def purge_form_submissions_daily():
    purge_form_submissions()
