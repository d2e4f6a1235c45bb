"""The worker purges one-time form tokens once a repeat of their POST can no longer come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.core.models import FormSubmission
from motcua.core.tasks import FORM_TOKEN_DAYS, purge_form_submissions

pytestmark = pytest.mark.django_db


def test_tokens_older_than_the_keeping_time_are_purged_and_recent_ones_kept():
    now = timezone.now()
    for token, age in (("old", FORM_TOKEN_DAYS + 1), ("edge", FORM_TOKEN_DAYS - 1), ("new", 0)):
        submission = FormSubmission.objects.create(token=token, path="/can-bo/")
        FormSubmission.objects.filter(pk=submission.pk).update(submitted_at=now - timedelta(days=age))
    assert purge_form_submissions(now=now) == 1
    assert sorted(FormSubmission.objects.values_list("token", flat=True)) == ["edge", "new"]
    assert purge_form_submissions(now=now) == 0
