from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Question(models.TextChoices):
    """What an agent may ask a caller to establish who they are (asked against the case on file)."""

    FULL_NAME = "full_name", _("Full name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    MAILING_ADDRESS = "mailing_address", _("Mailing address on file")
    FORM_TYPE = "form_type", _("Form filed (type)")
    FILING_DATE = "filing_date", _("Date the form was filed")
    A_NUMBER = "a_number", _("A-number")
    RECEIPT_NUMBER = "receipt_number", _("Receipt number")


class Result(models.TextChoices):
    VERIFIED = "verified", _("Verified: the answers matched")
    NOT_VERIFIED = "not_verified", _("Not verified")


class IdentityCheck(BaseModel):
    """One call's identity check: who asked, which questions, and the result. A lookup during the
    call names it; it lasts as long as a call may (`rules.CHECK_LASTS`)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="identity_checks")
    caller_name = models.CharField(max_length=150)
    questions = models.JSONField(default=list, help_text=_("The questions asked (codes of Question)."))
    result = models.CharField(max_length=16, choices=Result.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=[r.value for r in Result]), name="identity_check_result_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.caller_name} ({self.result}) by {self.agent_id}"
