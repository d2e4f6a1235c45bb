"""Stored files (tệp của hồ sơ điện tử): one row per distinct content, addressed by its SHA-256.

A component, a draft, a signed result that carry the same bytes share one row and one stored
object. The original file name is metadata of the row that refers to the file (it never names
the stored object), and nothing here has a public URL: downloads go through views that apply the
dossier's row-level scope (:mod:`motcua.workspace.files`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """A checked file: always a PDF (images are converted on upload), stored under its SHA-256."""

    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    content_type = models.CharField(_("kiểu tệp"), max_length=100, default="application/pdf")
    page_count = models.PositiveIntegerField(_("số trang"), default=0)
    original_type = models.CharField(
        _("kiểu tệp gốc"),
        max_length=100,
        blank=True,
        help_text="What the upload really was (sniffed from its bytes) before any conversion to PDF",
    )
    has_signature = models.BooleanField(_("có chữ ký số"), default=False)
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đã lưu")
        verbose_name_plural = _("tệp đã lưu")

    def __str__(self):
        return f"{self.sha256[:12]}… ({self.page_count} tr.)"

    @property
    def storage_name(self) -> str:
        """Where the bytes live in the storage: the hash only, so nothing of the name leaks."""
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}.pdf"
