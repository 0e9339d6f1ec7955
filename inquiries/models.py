from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel
from offices.models import Agency, Office, RedirectTopic


class InquiryChannel(models.TextChoices):
    NCSC_PHONE = "ncsc_phone", _("Contact Center phone")
    MILITARY_LINE = "military_line", _("Military Help Line")
    PREMIUM_LINE = "premium_line", _("Premium Processing line")
    HAGUE_LINE = "hague_line", _("Hague Adoptions line")
    IN_PERSON = "in_person", _("In person at an office")
    OUTREACH_EVENT = "outreach_event", _("Community outreach event")
    MAIL = "mail", _("Mail")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    ONLINE = "online", _("Online")
    SELF_SERVICE = "self_service", _("Contact guide (self-service)")


class Topic(models.TextChoices):
    CASE_STATUS = "case_status", _("Status of my case")
    PROCESSING_TIME = "processing_time", _("Processing times")
    DOCUMENT_NOT_RECEIVED = "document_not_received", _("Notice, card or document not received")
    CHANGE_OF_ADDRESS = "change_of_address", _("Change of address")
    APPOINTMENT = "appointment", _("Appointments")
    FORMS_AND_FEES = "forms_and_fees", _("Forms and fees")
    EXPEDITE = "expedite", _("Request to expedite")
    ACCOMMODATION = "accommodation", _("Disability accommodation")
    MILITARY = "military", _("Military members and families")
    PREMIUM_PROCESSING = "premium_processing", _("Premium Processing")
    HAGUE_ADOPTION = "hague_adoption", _("Hague Convention adoption")
    OTHER_AGENCY = "other_agency", _("A matter for another agency")
    OTHER = "other", _("Other")


class Triage(models.TextChoices):
    """How an inquiry is handled (§A): complaint, or standard processing, or special handling."""

    STANDARD = "standard", _("Standard processing")
    REDIRECT = "redirect", _("Special handling: not within USCIS jurisdiction (redirect)")
    EXPEDITE = "expedite", _("Special handling: expedite")
    COMPLAINT = "complaint", _("Complaint")
    OUTREACH_REDIRECT = "outreach_redirect", _("Outreach event: directed to the proper channel")


class ComplaintKind(models.TextChoices):
    CASE_SPECIFIC = "case_specific", _("Case-specific complaint")
    NON_CASE_SPECIFIC = "non_case_specific", _("Non-case-specific complaint")
    MISCONDUCT = "misconduct", _("Misconduct (referral to OSI and DHS OIG)")


class ExpediteCriterion(BaseModel):
    """The published expedite criteria, by policy version (domain.md §2.1)."""

    version = models.CharField(max_length=10)
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=300)
    is_current = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version", "code"]
        verbose_name_plural = _("expedite criteria")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="expedite_criterion_unique")]

    def __str__(self) -> str:
        return f"{self.version}: {self.label}"


class Inquiry(BaseModel):
    """One contact with a customer, recorded with its triage and whether it was resolved the first time."""

    channel = models.CharField(max_length=16, choices=InquiryChannel.choices)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="inquiries")
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    receipt_number = models.CharField(max_length=13, blank=True, db_index=True)
    topic = models.CharField(max_length=24, choices=Topic.choices)
    is_case_specific = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False, help_text=_("The customer expressed dissatisfaction with USCIS."))
    misconduct_alleged = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="inquiries_taken")
    # Triage: the rules' suggestion, and the outcome (the suggestion unless staff overrode it).
    suggested_triage = models.CharField(max_length=20, choices=Triage.choices)
    triage = models.CharField(max_length=20, choices=Triage.choices)
    complaint_kind = models.CharField(max_length=20, choices=ComplaintKind.choices, blank=True)
    redirect_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redirect_topic = models.ForeignKey(RedirectTopic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expedite_criterion = models.ForeignKey(ExpediteCriterion, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    expedite_evidence = models.TextField(blank=True)
    # An expedite request: met (a criterion was named, a service request filed), not met (none applies: the
    # reason read out to the caller is in `outcome`), or null (not an expedite).
    expedite_met = models.BooleanField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    outcome = models.TextField(blank=True, help_text=_("What the customer was told or where they were sent."))
    # First Contact Resolution (R1).
    resolved_at_first_contact = models.BooleanField(default=False)
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats")
    # Privacy (R12): case details by e-mail only after an identity check.
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    identity_check_method = models.CharField(max_length=200, blank=True)
    service_request = models.ForeignKey("service_requests.ServiceRequest", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="inquiries")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["office", "created_at"], name="inquiry_office_idx"),
            models.Index(fields=["customer", "topic", "created_at"], name="inquiry_customer_topic_idx"),
            models.Index(fields=["receipt_number", "topic", "created_at"], name="inquiry_receipt_topic_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(triage__in=[t.value for t in Triage]), name="inquiry_triage_valid"),
            models.CheckConstraint(condition=~Q(triage=Triage.COMPLAINT) | ~Q(complaint_kind=""),
                                   name="inquiry_complaint_has_kind"),
            models.CheckConstraint(condition=~Q(triage=Triage.REDIRECT) | Q(redirect_agency__isnull=False),
                                   name="inquiry_redirect_has_agency"),
            models.CheckConstraint(condition=Q(triage=models.F("suggested_triage")) | ~Q(override_reason=""),
                                   name="inquiry_override_has_reason"),
            models.CheckConstraint(condition=~Q(expedite_met=True) | Q(expedite_criterion__isnull=False),
                                   name="inquiry_expedite_met_names_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d} {self.get_triage_display()}"


class FaxPermission(BaseModel):
    """USCIS publishes no fax numbers (§D.3); an office may give one for a single case, for documents
    it asked for. Each such permission is recorded on that case."""

    receipt_number = models.CharField(max_length=13, blank=True)
    service_request = models.ForeignKey("service_requests.ServiceRequest", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="fax_permissions")
    fax_number = models.CharField(max_length=40)
    documents_requested = models.CharField(max_length=300)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(receipt_number="") | Q(service_request__isnull=False),
                                   name="fax_permission_names_a_case"),
        ]

    def __str__(self) -> str:
        return f"fax for {self.receipt_number or self.service_request_id}"
