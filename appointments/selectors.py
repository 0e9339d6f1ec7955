"""Reads: availability, policy, and which appointments a user may see."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from core.models import CONTACT_CENTER_ROLES, Role, User
from core.representation import active_representations
from offices import jurisdiction
from offices.models import Office
from offices.selectors import office_closed_days

from . import rules
from .models import Appointment, AppointmentPolicy, AppointmentReason, AppointmentStatus, ScheduleTemplate, Slot

APPOINTMENT_NOT_FOUND = _("No appointment with that number is yours to see.")
MAX_RANGE_DAYS = 31


def policy_for(office: Office) -> rules.Policy:
    """The office's own policy row, else the default row, else the built-in defaults.

    Kept in memory with the jurisdiction index until an edit of a policy (appointments.signals), in any
    process, changes its version: no query once read."""
    return jurisdiction.memo(("appointments.policy", office.pk), lambda: _policy_read(office))


def _policy_read(office: Office) -> rules.Policy:
    rows = list(AppointmentPolicy.objects.filter(Q(office=office) | Q(office__isnull=True)))
    chosen = next((r for r in rows if r.office_id == office.pk), None) or next(iter(rows), None)
    if chosen is None:
        return rules.Policy()
    return rules.Policy(
        booking_horizon_days=chosen.booking_horizon_days,
        min_notice_hours=chosen.min_notice_hours,
        max_active_per_customer=chosen.max_active_per_customer,
        max_reschedules=chosen.max_reschedules,
        reschedule_cutoff_hours=chosen.reschedule_cutoff_hours,
        cancel_cutoff_hours=chosen.cancel_cutoff_hours,
        reminder_hours_before=chosen.reminder_hours_before,
    )


def template_blocks(office: Office) -> tuple[rules.TemplateBlock, ...]:
    """The office's weekly schedule blocks, kept in memory like its policy (invalidated on any edit)."""
    return jurisdiction.memo(("appointments.blocks", office.pk), lambda: tuple(
        rules.TemplateBlock(t.weekday, t.opens, t.closes, t.slot_minutes, t.places, t.valid_from, t.valid_until)
        for t in ScheduleTemplate.objects.filter(office=office)
    ))


def active_reason(code: str) -> AppointmentReason | None:
    """The active appointment reason with this code (kept in memory like the policies), or None."""
    reasons = jurisdiction.memo(("appointments.reasons",), lambda: {
        reason.code: reason for reason in AppointmentReason.objects.filter(is_active=True)})
    return reasons.get(code)


@dataclass(frozen=True)
class AvailableSlot:
    start: datetime
    end: datetime
    capacity: int
    remaining: int


def availability(office: Office, *, first: date, last: date, now: datetime,
                 policy: rules.Policy | None = None) -> list[AvailableSlot]:
    """Slots between two local dates that a customer could book now, with the places left, in the
    office's zone. Times the policy refuses (past, closer than the minimum notice, beyond the
    booking horizon) are left out: choosing one could only fail.

    One query whatever the range, the booked counts: policy, templates and closures are kept in memory.
    """
    tz = office.time_zone
    policy = policy or policy_for(office)
    grid = rules.slots_between(first, last, tz=tz, blocks=template_blocks(office), closed=office_closed_days(office, first, last))
    if not grid:
        return []
    booked = dict(
        Slot.objects.filter(office=office, starts_at__gte=grid[0].start, starts_at__lte=grid[-1].start)
        .values_list("starts_at", "booked")
    )
    return [
        AvailableSlot(slot.start, slot.end, slot.capacity, max(slot.capacity - booked.get(slot.start, 0), 0))
        for slot in grid
        if rules.check_bookable(slot.start, now=now, tz=tz, policy=policy) is None
    ]


def bookable_availability(office: Office, *, now: datetime, within_days: int | None = None) -> list[AvailableSlot]:
    """The slots from today (office time) to the end of the booking horizon, or `within_days` of
    today if sooner; the office's policy is read once."""
    policy = policy_for(office)
    first = now.astimezone(office.time_zone).date()
    last = rules.last_bookable_day(now=now, tz=office.time_zone, policy=policy)
    if within_days is not None:
        last = min(last, first + timedelta(days=within_days))
    return availability(office, first=first, last=last, now=now, policy=policy)


def appointment_list_for_user(user: User) -> QuerySet[Appointment]:
    """Appointments `user` may see: their own, those they booked for others, or their office's."""
    base = Appointment.objects.select_related("office", "reason", "customer", "booked_by")
    if not user.is_authenticated:
        return base.none()
    if user.role == Role.ADMIN:
        return base
    if user.role == Role.OFFICE_STAFF:  # their office's, and those they booked at another office
        return base.filter(Q(office_id=user.office_id) | Q(booked_by=user))  # type: ignore[misc]  # office staff have an office (a database rule)
    if user.role == Role.REPRESENTATIVE:  # those they booked, while they represent the customer
        return base.filter(booked_by=user, customer_id__in=active_representations(user).values("customer_id"))
    if user.role in (Role.CUSTOMER, *CONTACT_CENTER_ROLES):
        return base.filter(Q(customer=user) | Q(booked_by=user))
    return base.none()


def appointment_get_for_user(user: User, appointment_id: int | str) -> Appointment:
    try:
        return appointment_list_for_user(user).get(pk=int(appointment_id))
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise NotFound(str(APPOINTMENT_NOT_FOUND)) from None


def office_day_range(office: Office, *, now: datetime) -> tuple[date, date]:
    """The days the office day page shows: as far back as the schedule's horizon reaches ahead."""
    today = now.astimezone(office.time_zone).date()
    last = rules.last_bookable_day(now=now, tz=office.time_zone, policy=policy_for(office))
    return today - (last - today), last


LOOKUP_LIMIT = 50


def office_lookup(office: Office, text: str, *, first: date, last: date) -> list[Appointment]:
    """An office's appointments within [first, last] by confirmation code (exact) or customer name (every
    word, case and accents aside), soonest first."""
    from core.text import with_name_match

    text = " ".join((text or "").split())
    if not text:
        return []
    tz = office.time_zone
    base = Appointment.objects.select_related("customer", "reason").filter(
        office=office, starts_at__gte=datetime.combine(first, datetime.min.time(), tzinfo=tz),
        starts_at__lt=datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz))
    base, words = with_name_match(base, text, ["customer__first_name", "customer__last_name"])
    return list(base.filter(Q(confirmation_code=text.replace(" ", "").upper()) | words)
                .order_by("starts_at", "id")[:LOOKUP_LIMIT])


def office_day(office: Office, day: date) -> QuerySet[Appointment]:
    """An office's appointments on one local day, in order."""
    tz = office.time_zone
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=1)
    return (
        Appointment.objects.select_related("customer", "reason")
        .filter(office=office, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
    )


def appointment_upcoming_for_user(user: User, *, now: datetime) -> QuerySet[Appointment]:
    """Booked appointments still ahead, soonest first."""
    return appointment_list_for_user(user).filter(starts_at__gt=now, status=AppointmentStatus.BOOKED).order_by("starts_at")


def appointment_active_count(customer: User, *, now: datetime) -> int:
    """The customer's own booked appointments still ahead: what the active-appointment limit counts."""
    return Appointment.objects.filter(customer=customer, status=AppointmentStatus.BOOKED, starts_at__gt=now).count()
