"""The core app's one table: the one-time tokens of submitted forms (see :mod:`motcua.core.once`)."""

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A state-changing form already submitted: its one-time token, who sent it, and where it led.

    A second POST with the same token (a double click, a reload) is recognised and not recorded again.
    """

    token = models.CharField("mã một lần của biểu mẫu", max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    path = models.CharField("địa chỉ", max_length=300)
    submitted_at = models.DateTimeField("lúc gửi", auto_now_add=True, db_index=True)
    redirect_to = models.CharField("chuyển đến sau khi gửi", max_length=500, blank=True)

    class Meta:
        verbose_name = "biểu mẫu đã gửi"
        verbose_name_plural = "biểu mẫu đã gửi"

    def __str__(self):
        return self.token
