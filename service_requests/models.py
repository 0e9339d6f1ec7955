from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from offices.models import Agency, Office

from .windows import DayKind, Stage, due_day


class RequestType(models.TextChoices):
    OUTSIDE_PROCESSING_TIME = "outside_processing_time", _("Case outside normal processing time")
    NOTICE_NOT_RECEIVED = "notice_not_received", _("Notice not received")
    CARD_NOT_RECEIVED = "card_not_received", _("Card not received")
    DOCUMENT_NOT_RECEIVED = "document_not_received", _("Document not received")
    TYPOGRAPHIC_ERROR = "typographic_error", _("Typographic error on a notice or card")
    ACCOMMODATION = "accommodation", _("Request for accommodations (disability)")
    CHANGE_OF_ADDRESS = "change_of_address", _("Change of address")
    EXPEDITE = "expedite", _("Request to expedite")
    OTHER = "other", _("Other")


# Worked first within an office's queue (SRMT kept priority categories).
PRIORITY_TYPES = frozenset({RequestType.EXPEDITE, RequestType.ACCOMMODATION})


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone (Contact Center)")
    ONLINE = "online", _("Online")
    MAIL = "mail", _("Mail")
    IN_PERSON = "in_person", _("In person")


class CaseClass(models.TextChoices):
    """VAWA, T and U cases are confidential: change of address is refused for them (SRMT)."""

    STANDARD = "standard", _("None of these")
    VAWA = "vawa", _("VAWA (Violence Against Women Act)")
    T_VISA = "t_visa", _("T nonimmigrant (trafficking victim)")
    U_VISA = "u_visa", _("U nonimmigrant (crime victim)")


CONFIDENTIAL_CLASSES = frozenset({CaseClass.VAWA, CaseClass.T_VISA, CaseClass.U_VISA})


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a response")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    RELOCATED = "relocated", _("Sent to another agency")


OPEN_STATUSES = (Status.OPEN, Status.ANSWERED)


class HoldingBasis(models.TextChoices):
    """How the office that holds the case (`current_office`) was decided."""

    PREFIX = "prefix", _("The receipt number's prefix names the office")
    NOTICE = "notice", _("The office named on the customer's latest notice")
    RESIDENCE = "residence", _("The field office for the customer's residence")
    TRANSFER = "transfer", _("Transferred by staff")


class ServiceRequest(BaseModel):
    """A customer's request for service, routed to the office where the case is pending.

    `version` goes up with every change; staff actions compare it, so two people acting on the same
    request at once cannot overwrite each other: one wins, the other is told to reload.
    """

    reference_number = models.CharField(max_length=16, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="service_requests"
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="represented_requests"
    )
    # The representation on record the representative filed under.
    representation = models.ForeignKey(
        "core.Representation", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A caller without an account (filed by a Contact Center agent).
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, default="en")
    receipt_number = models.CharField(max_length=13, blank=True)
    # The Alien Registration Number, as A and nine digits; the Contact Center finds requests by it.
    a_number = models.CharField(max_length=10, blank=True)
    request_type = models.CharField(max_length=32, choices=RequestType.choices)
    case_class = models.CharField(max_length=12, choices=CaseClass.choices, default=CaseClass.STANDARD)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    description = models.TextField()
    priority = models.BooleanField(default=False)
    # The office that holds the case (where it is pending) and how that was decided (R15).
    current_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="service_requests")
    holding_basis = models.CharField(
        max_length=12, choices=HoldingBasis.choices, default=HoldingBasis.PREFIX, db_default=HoldingBasis.PREFIX
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)
    first_response_at = models.DateTimeField(null=True, blank=True)
    service_center_inquiry_at = models.DateTimeField(null=True, blank=True)
    hq_inquiry_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    relocated_to = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The officer working the request (staff only: customers see the office, never a name). Taking
    # is a conditional UPDATE … WHERE assigned_to IS NULL, so of two officers at once one wins.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_requests"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [
            ("view_protected", "Can see VAWA, T and U requests (8 U.S.C. § 1367) at their office"),
            ("assign_requests", "Can assign requests to officers at their office (supervisor)"),
        ]
        indexes = [
            # The staff queue: an office's open requests, oldest first within a type.
            models.Index(
                fields=["current_office", "request_type", "created_at", "id"], name="sr_queue_open_idx",
                condition=Q(status__in=["open", "answered"]),
            ),
            # The queue's capped count (core.pagination), of an office or of one type there: an index-only scan,
            # the protected-case exclusion read from the index (without case_class the count read the table).
            models.Index(fields=["current_office", "request_type", "case_class"], name="sr_queue_count_idx",
                         condition=Q(status__in=["open", "answered"])),
            models.Index(fields=["current_office", "status", "created_at"], name="sr_office_status_idx"),
            models.Index(fields=["customer", "created_at"], name="sr_customer_idx"),
            # "My requests": an officer's open requests.
            models.Index(fields=["assigned_to", "created_at"], name="sr_assigned_open_idx",
                         condition=Q(status__in=["open", "answered"], assigned_to__isnull=False)),
            # Service-center queues: inbound inquiries by how long they have waited.
            models.Index(fields=["current_office", "service_center_inquiry_at"], name="sr_sc_inquiry_idx",
                         condition=Q(service_center_inquiry_at__isnull=False, status="open")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="sr_status_valid"),
            models.CheckConstraint(condition=Q(request_type__in=[t.value for t in RequestType]), name="sr_type_valid"),
            models.CheckConstraint(
                condition=Q(receipt_number="") | Q(receipt_number__regex=r"^[A-Z]{3}[0-9*]{10}$"),
                name="sr_receipt_number_format",
            ),
            models.CheckConstraint(condition=Q(a_number="") | Q(a_number__regex=r"^A[0-9]{9}$"),
                                   name="sr_a_number_format"),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(contact_email=""), name="sr_has_someone_to_answer"
            ),
            models.CheckConstraint(
                condition=~Q(request_type=RequestType.CHANGE_OF_ADDRESS) | Q(case_class=CaseClass.STANDARD),
                name="sr_no_coa_for_vawa_t_u",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RELOCATED) | Q(relocated_to__isnull=False), name="sr_relocated_has_agency"
            ),
            # One open-and-unanswered request per customer, receipt number and type: once USCIS has
            # answered, the customer may file a new one. Requests without a receipt number (an
            # accommodation, "other") are not duplicates of each other, as the filing service says.
            models.UniqueConstraint(
                fields=["customer", "receipt_number", "request_type"], condition=Q(status="open") & ~Q(receipt_number=""),
                name="sr_one_unanswered_per_customer_receipt_type",
            ),
        ]

    def __str__(self) -> str:
        return self.reference_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owner_email(self) -> str:
        return self.customer.email if self.customer is not None else self.contact_email


class Escalation(models.Model):
    """Where a request stands in the escalation windows (§D.2), in a narrow table of its own.

    The sweep moves up to millions of these rows at once; kept apart from the wide, heavily indexed
    request row, each move writes a small row and two index entries instead of fifteen. The stage
    is kept by the services that answer, close or escalate a request, so `waiting` and
    `sc_inquiry_sent` always mean "still open, nobody has answered".
    """

    request = models.OneToOneField(ServiceRequest, primary_key=True, on_delete=models.CASCADE,
                                   related_name="escalation")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.WAITING)
    window1_opens_at = models.DateTimeField(help_text=_("Computed by service_requests.windows when the request is filed."))
    window2_opens_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Computed when the follow-up inquiry is sent; empty where HQ takes no part."))
    # The terms the request was filed under (the policy then in force): they decide its dates for good.
    # (Database defaults too, so set-based loaders that write rows in SQL get the default terms.)
    window1_days = models.PositiveSmallIntegerField(default=15, db_default=15)
    window1_kind = models.CharField(max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR,
                                    db_default=DayKind.CALENDAR.value)
    window2_days = models.PositiveSmallIntegerField(default=21, db_default=21)
    window2_kind = models.CharField(max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR,
                                    db_default=DayKind.CALENDAR.value)
    hq_for_all_holders = models.BooleanField(default=False, db_default=False)
    # §D.4: when the receiving office should have answered or relocated the request (its type's
    # target at filing). A transfer keeps it: the target follows the request.
    answer_due_at = models.DateTimeField(null=True, blank=True)
    # The sweep run that last moved the row, so that run can owe its e-mails with one INSERT … SELECT.
    sweep_batch = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep finds due rows through these; when nothing is due they return nothing at once.
            models.Index(fields=["window1_opens_at"], name="sr_window1_due_idx", condition=Q(stage="waiting")),
            models.Index(fields=["window2_opens_at"], name="sr_window2_due_idx", condition=Q(stage="sc_inquiry_sent")),
            models.Index(fields=["sweep_batch"], name="sr_sweep_batch_idx", condition=Q(sweep_batch__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in Stage]), name="escalation_stage_valid"),
            models.CheckConstraint(
                condition=~Q(stage="window2_open") | Q(window2_opens_at__isnull=False),
                name="escalation_window2_known_when_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage}"

    @property
    def answer_due_on(self) -> date | None:
        """The last day the office has to answer (the day that ends at answer_due_at, Eastern)."""
        return due_day(self.answer_due_at) if self.answer_due_at else None


class EscalationPolicy(BaseModel):
    """The escalation windows, editable in the admin. One row; without it the defaults apply.

    A change applies to requests filed after it: each request keeps the terms it was filed under,
    so the dates older requests were given never move.
    """

    window1_days = models.PositiveSmallIntegerField(default=15, help_text=_("Days after the request before the customer may follow up (write to the service center, or through the Contact Center). Applies to requests filed after the change."))
    window1_kind = models.CharField(max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    window2_days = models.PositiveSmallIntegerField(default=21, help_text=_("Days after that inquiry before the customer may contact HQ. Applies to requests filed after the change."))
    window2_kind = models.CharField(max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    hq_for_all_holders = models.BooleanField(default=False, help_text=_("HQ Office of Service Center Operations also takes requests held by field offices, the NBC, asylum and international offices. Applies to requests filed after the change."))
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = _("escalation policy")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="escalation_policy_single_row"),
            models.CheckConstraint(condition=Q(window1_days__gte=1, window2_days__gte=1), name="escalation_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.window1_days} {self.window1_kind} / {self.window2_days} {self.window2_kind}"


DEFAULT_ANSWER_TARGET_DAYS = 15  # business days: USCIS's stated target for service requests (domain.md §10)


class AnswerTarget(BaseModel):
    """§D.4: per request type, the business days the receiving office has to answer the customer
    or relocate the request. Without a row the type gets 15 business days. A change applies to
    requests filed after it."""

    request_type = models.CharField(max_length=32, choices=RequestType.choices, unique=True)
    business_days = models.PositiveSmallIntegerField(default=DEFAULT_ANSWER_TARGET_DAYS)

    class Meta:
        ordering = ["request_type"]
        constraints = [
            models.CheckConstraint(condition=Q(business_days__gte=1), name="answer_target_days_positive"),
            models.CheckConstraint(condition=Q(request_type__in=[t.value for t in RequestType]),
                                   name="answer_target_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()}: {self.business_days} business days"


class EventKind(models.TextChoices):
    CREATED = "created", _("Request filed")
    RESPONSE = "response", _("Response from USCIS")
    NOTE = "note", _("Internal note")
    TRANSFER = "transfer", _("Transferred")
    RELOCATE = "relocate", _("Sent to another agency")
    CLOSE = "close", _("Closed")
    SERVICE_CENTER_INQUIRY = "service_center_inquiry", _("Inquiry to the service center")
    CONTACT_CENTER_INQUIRY = "contact_center_inquiry", _("Follow-up through the USCIS Contact Center")
    HQ_INQUIRY = "hq_inquiry", _("Inquiry to HQ Office of Service Center Operations")


class ServiceRequestEvent(models.Model):
    """The timeline: every hop and answer, with who, when and why. Never edited or deleted."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(blank=True)
    visible_to_customer = models.BooleanField(default=True)
    from_office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="sr_event_timeline_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(kind=EventKind.NOTE) | Q(visible_to_customer=False),
                                   name="sr_event_notes_are_internal"),
            models.CheckConstraint(condition=~Q(kind=EventKind.TRANSFER) | Q(to_office__isnull=False),
                                   name="sr_event_transfer_has_office"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class SavedFilter(BaseModel):
    """A staff member's named queue view: the query string of the queue page (filters, search, sort)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_filters")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name
