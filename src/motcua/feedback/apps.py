from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị và đánh giá")

    def ready(self):
        from motcua.core.audit import register

        from .models import Complaint, ComplaintAnswer, ComplaintStatusLog, Rating, RatingFollowUp

        register(Complaint, ComplaintStatusLog, ComplaintAnswer, Rating, RatingFollowUp)
