from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, translated_columns
from offices.models import Office, Weekday


class AppointmentPolicy(BaseModel):
    """Booking limits. One default row (office empty); an office may have its own row."""

    office = models.OneToOneField(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="appointment_policy",
        help_text=_("Leave empty for the default policy of every office."),
    )
    booking_horizon_days = models.PositiveSmallIntegerField(default=14, help_text=_("How far ahead customers may book."))
    min_notice_hours = models.PositiveSmallIntegerField(default=2, help_text=_("No booking closer than this to the start."))
    max_active_per_customer = models.PositiveSmallIntegerField(default=2)
    max_reschedules = models.PositiveSmallIntegerField(default=2)
    reschedule_cutoff_hours = models.PositiveSmallIntegerField(default=12, help_text=_("No rescheduling closer than this."))
    cancel_cutoff_hours = models.PositiveSmallIntegerField(default=1, help_text=_("No online cancellation closer than this."))
    reminder_hours_before = models.PositiveSmallIntegerField(default=24)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("appointment policies")
        constraints = [
            # One row per office, and one default row (office empty): COALESCE makes NULL count once.
            models.UniqueConstraint(Coalesce("office", Value(0)), name="appointment_policy_one_per_scope"),
            models.CheckConstraint(condition=Q(booking_horizon_days__gte=1), name="policy_horizon_positive"),
            models.CheckConstraint(condition=Q(max_active_per_customer__gte=1), name="policy_active_positive"),
        ]

    def __str__(self) -> str:
        return f"Appointment policy for {self.office.code if self.office else 'all offices'}"


class ScheduleTemplate(BaseModel):
    """A weekly block of appointment slots at an office: on `weekday`, from `opens` to `closes`,
    slots of `slot_minutes` each holding `places` people. Times are wall-clock in the office's zone.
    Federal holidays (and the host country's overseas) and office closures have no slots."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="schedule_templates")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    places = models.PositiveSmallIntegerField(default=2)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="schedule_closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="schedule_weekday"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=480), name="schedule_slot_length"),
            models.CheckConstraint(condition=Q(places__gte=1), name="schedule_places_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="schedule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


# django-modeltranslation swaps in a language-aware manager at start-up, a class the stubs cannot name.
class AppointmentReason(BaseModel):  # type: ignore[django-manager-missing]
    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150)
    description = models.CharField(max_length=300, blank=True)
    what_to_bring = models.TextField(blank=True)
    international = models.BooleanField(default=True, help_text=_("Offered at international offices too."))
    is_active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=100)
    # Spanish columns from appointments/translation.py; the history keeps the English.
    history = HistoricalRecords(excluded_fields=translated_columns("label", "what_to_bring"))
    objects = models.Manager()  # type: ignore[django-manager-missing]  # modeltranslation subclasses it at start-up

    class Meta:
        ordering = ["display_order", "label"]

    def __str__(self) -> str:
        return self.label


class Slot(models.Model):
    """One appointment time at an office and how many of its places are taken.

    Rows are created on first booking. `booked <= capacity` is a database rule: the booking service
    takes a place with a conditional UPDATE, and the check constraint refuses anything else.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["office", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_never_over_capacity"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="slot_booked_not_negative"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold a place in their slot.
HOLDS_PLACE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED,
               AppointmentStatus.NO_SHOW)


class Appointment(BaseModel):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments_booked"
    )
    reason = models.ForeignKey(AppointmentReason, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    confirmation_code = models.CharField(max_length=12, unique=True)
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    notes = models.CharField(max_length=500, blank=True, help_text=_("Accommodations or other needs."))
    other_office_reason = models.CharField(
        max_length=300, blank=True,
        help_text=_("Why staff booked at an office other than the one with jurisdiction (recorded and audited)."),
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["customer", "status", "starts_at"], name="appt_customer_idx"),
            models.Index(fields=["office", "starts_at"], name="appt_office_day_idx"),
            models.Index(fields=["starts_at"], name="appt_reminder_due_idx",
                         condition=Q(status="booked", reminder_sent_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AppointmentStatus]), name="appointment_status_valid"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
            # One place per customer per slot: a second booking of the same time is refused.
            models.UniqueConstraint(fields=["customer", "slot"], condition=Q(status="booked"),
                                    name="appointment_one_per_customer_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.confirmation_code} {self.office_id} {self.starts_at:%Y-%m-%d %H:%M}"
