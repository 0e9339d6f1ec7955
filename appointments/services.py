"""Writes for appointments: book, cancel, reschedule, staff transitions, reminders.

Capacity is held by the database: a place is taken with a conditional UPDATE (a booking's
INSERT … ON CONFLICT DO UPDATE … WHERE booked < capacity), and the `slot_never_over_capacity` check refuses anything else. Locks are
always taken in the same order — customer, appointment, slots by primary key — so concurrent
bookings and reschedules cannot deadlock.
"""

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, overload

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.db import insert_unless_conflict
from core.errors import ApplicationError, Conflict, Forbidden, NotFound
from core.models import CONTACT_CENTER_ROLES, CUSTOMER_ROLES, Role, User
from core.notifications import notification_queue
from core.representation import active_representations
from core.selectors import customer_by_email
from core.services import audit_record
from offices import selectors as office_selectors
from offices.holidays import holiday_name
from offices.jurisdiction import Status, office_by_code
from offices.models import Office
from offices.selectors import OFFICE_NOT_FOUND
from offices.services import parse_weekly_hours, yaml_file_load

from . import rules, selectors
from .models import Appointment, AppointmentPolicy, AppointmentReason, AppointmentStatus, ScheduleTemplate, Slot

BOOK_FOR_OTHERS_ROLES = frozenset({Role.REPRESENTATIVE, *CONTACT_CENTER_ROLES, Role.OFFICE_STAFF, Role.ADMIN})
BOOK_ELSEWHERE_ROLES = frozenset({*CONTACT_CENTER_ROLES, Role.OFFICE_STAFF, Role.ADMIN})
REASON_FOR_OTHER_OFFICE = _(
    "This customer's office is {office}. To book at another office, give the reason (such as emergency advance "
    "parole, or a case moved there for interview); it is recorded."
)
UNKNOWN_REASON = _("Choose one of the listed reasons for your visit.")
NO_APPOINTMENTS_HERE = _("{office} does not offer public appointments.")
WRONG_OFFICE = _("You live in {place}, which is served by the {office} ({code}). Book your appointment there.")
NO_OFFICE_ABROAD = _(
    "No USCIS international office serves {country}. Contact the U.S. embassy or consulate there for help."
)
CHOOSE_OFFICE_FIRST = _(
    "Our directory names several field offices for your ZIP code ({codes}). Choose yours in My account first."
)
CHOOSE_REGION_FIRST = _("{country} is divided between offices by region. Add your region in My account first.")
NO_RESIDENCE = _("This account has no residence on file. Add your ZIP code or country in My account first.")
NAME_A_CUSTOMER = _("Give the e-mail address of the customer you are booking for.")
CUSTOMERS_BOOK_FOR_THEMSELVES = _("Customers book for themselves; only representatives and staff book for others.")
ROLE_CANNOT_BOOK = _("Your role cannot book appointments.")
OUT_OF_RANGE = _("That date is too far away to book. Choose one of the offered times.")
STALE = _("This appointment changed meanwhile (it is now {status}). Reload and try again.")
NOT_YET = _("An appointment can be marked a no-show only after it starts.")
NOT_TODAY = _("Customers can be checked in only on the day of their appointment.")
UNDO_NOT_TODAY = _("A no-show can be undone only on the day of the appointment.")


def _aware(start: datetime, office: Office) -> datetime:
    """A start without an offset is read as the office's local time (400 when it is beyond the calendar)."""
    start = start if timezone.is_aware(start) else start.replace(tzinfo=office.time_zone)
    try:
        start.astimezone(UTC)
    except OverflowError:
        raise ApplicationError.for_field("start", str(OUT_OF_RANGE), code="out_of_range") from None
    return start


@overload
def _raise(refusal: None, field: str = ...) -> None: ...
@overload
def _raise(refusal: rules.Refusal, field: str = ...) -> NoReturn: ...
@overload
def _raise(refusal: rules.Refusal | None, field: str = ...) -> None: ...
def _raise(refusal: rules.Refusal | None, field: str = "start") -> None:
    if refusal is None:
        return
    if refusal.status == 400:
        raise ApplicationError(refusal.message, code=refusal.code, fields={field: [refusal.message]})
    raise Conflict(refusal.message, code=refusal.code, extra=refusal.extra)


def office_for_booking(customer: User) -> Office:
    """The office where `customer` books: the office the directory names for their residence, or
    their recorded choice among the candidates it names (a split county, a split country). Raises
    with a clear answer otherwise — never a silent pick."""
    profile = getattr(customer, "profile", None)
    if profile is None:
        raise Conflict(str(NO_RESIDENCE), code="no_residence")
    choice = profile.office_choice.code if profile.office_choice_id else ""  # type: ignore[union-attr]
    try:
        answer = office_selectors.residence_answer(
            zip_code=profile.zip_code, country=profile.country.code, region=profile.region, choice=choice
        )
    except (ValueError, NotFound):  # a recorded choice that is no longer a candidate, a ZIP no longer listed
        answer = office_selectors.residence_answer(zip_code=profile.zip_code, country=profile.country.code)
    if answer.status == Status.CHOOSE:
        codes = [o.code for o in answer.candidates]
        message = str(CHOOSE_OFFICE_FIRST).format(codes=", ".join(codes)) if not answer.regions else \
            str(CHOOSE_REGION_FIRST).format(country=profile.country.name)
        raise Conflict(message, code="choose_office", extra={"candidates": codes, "regions": list(answer.regions)})
    if answer.status == Status.NO_OFFICE or answer.office is None:
        message = str(NO_OFFICE_ABROAD).format(country=profile.country.name) if answer.is_abroad else answer.message
        raise Conflict(message, code="no_office_abroad" if answer.is_abroad else "no_office")
    office = answer.office
    if not office.offers_appointments:
        raise Conflict(str(NO_APPOINTMENTS_HERE).format(office=office.name), code="no_appointments",
                       extra={"office": office.code})
    return office


def _customer_for(actor: User, customer_email: str | None) -> User:
    if actor.role == Role.CUSTOMER:
        if customer_email and customer_email.strip().lower() != actor.email.lower():
            raise ApplicationError.for_field("customer", str(CUSTOMERS_BOOK_FOR_THEMSELVES))
        return actor
    if actor.role not in BOOK_FOR_OTHERS_ROLES:
        raise Forbidden(str(ROLE_CANNOT_BOOK))
    if not customer_email:
        raise ApplicationError.for_field("customer", str(NAME_A_CUSTOMER))
    return customer_by_email(customer_email, actor)


def _grid_slot(office: Office, start: datetime, *, now: datetime, policy: rules.Policy) -> rules.GridSlot:
    """Check a requested start against policy, holidays and the schedule; return its grid slot."""
    tz = office.time_zone
    _raise(rules.check_bookable(start, now=now, tz=tz, policy=policy))
    day = start.astimezone(tz).date()
    if day in office_selectors.office_closed_days(office, day, day):
        name = holiday_name("US", day) or holiday_name(office.country.code, day) or day.isoformat()  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
        _raise(rules.Refusal(400, "office_closed", str(rules.OFFICE_CLOSED).format(day=name)))
    grid = rules.find_slot(start, tz=tz, blocks=selectors.template_blocks(office), closed=frozenset())
    if grid is None:
        _raise(rules.Refusal(400, "off_grid", str(rules.START_OFF_GRID)))
    return grid


def _ensure_slot(office: Office, grid: rules.GridSlot) -> None:
    # INSERT … ON CONFLICT DO NOTHING: two first bookings of a slot cannot both create it.
    Slot.objects.bulk_create(
        [Slot(office=office, starts_at=grid.start, ends_at=grid.end, capacity=grid.capacity)], ignore_conflicts=True
    )


_TAKE_PLACE_SQL = (
    'UPDATE "appointments_slot" SET "booked" = "booked" + 1'
    ' WHERE "office_id" = %s AND "starts_at" = %s AND "booked" < "capacity"'
    ' RETURNING "id", "starts_at", "ends_at", "capacity", "booked"'
)


def _take_place(office: Office, grid: rules.GridSlot) -> Slot:
    """Take one place in the slot or raise Conflict. Call inside atomic.

    The database holds the rule: UPDATE … SET booked = booked + 1 WHERE booked < capacity, and the
    `slot_never_over_capacity` check. On Postgres the row comes back from the same statement (RETURNING);
    elsewhere (SQLite, `make run`'s default) the ORM's UPDATE and a read of the row, whose raw parameters
    and values Django converts (a raw SQLite statement compares datetimes as text and never matches)."""
    if connection.vendor != "postgresql":
        taken = Slot.objects.filter(office=office, starts_at=grid.start, booked__lt=F("capacity")).update(
            booked=F("booked") + 1)
        if not taken:
            raise Conflict(str(rules.SLOT_FULL), code="slot_full")
        return Slot.objects.get(office=office, starts_at=grid.start)
    return _slot_returned(office, _TAKE_PLACE_SQL, [office.pk, grid.start])


def _slot_returned(office: Office, sql: str, params: list) -> Slot:
    """Run a statement that takes a place and RETURNING the slot's row (Postgres); Conflict when none came back."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Conflict(str(rules.SLOT_FULL), code="slot_full")
    slot_id, starts_at, ends_at, capacity, booked = row
    slot = Slot(id=slot_id, office=office, starts_at=starts_at, ends_at=ends_at, capacity=capacity, booked=booked)
    slot._state.adding = False
    return slot


# The first booking of a time creates its row with the place taken; a later one takes a place in the
# row only while booked < capacity (no row comes back when it is full). One statement either way, and
# the `slot_never_over_capacity` check still refuses anything over.
_BOOK_PLACE_SQL = (
    'INSERT INTO "appointments_slot" AS "slot" ("office_id", "starts_at", "ends_at", "capacity", "booked")'
    ' VALUES (%s, %s, %s, %s, 1)'
    ' ON CONFLICT ("office_id", "starts_at") DO UPDATE SET "booked" = "slot"."booked" + 1'
    ' WHERE "slot"."booked" < "slot"."capacity"'
    ' RETURNING "id", "starts_at", "ends_at", "capacity", "booked"'
)


_SLOT_FULL_SQL = (
    'SELECT 1 FROM "appointments_slot" WHERE "office_id" = %s AND "starts_at" = %s AND "booked" >= "capacity"'
)


def _book_place(office: Office, grid: rules.GridSlot) -> Slot:
    """Create the slot's row with one place taken, or take one place in it; raise Conflict when full.

    Call inside atomic. Locks the slot's row (after the customer's, as _take_place does)."""
    if grid.capacity < 1:
        raise Conflict(str(rules.SLOT_FULL), code="slot_full")
    if connection.vendor != "postgresql":  # SQLite (make run): the ORM's statements, see _take_place
        _ensure_slot(office, grid)
        return _take_place(office, grid)
    return _slot_returned(office, _BOOK_PLACE_SQL, [office.pk, grid.start, grid.end, grid.capacity])


def _new_code() -> str:
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(10))


def _notify(appointment: Appointment, kind: str, dedupe: str) -> None:
    customer = appointment.customer
    notification_queue(
        kind=f"appointment.{kind}",
        to_email=customer.email,
        user=customer,
        template=f"appointments/email/{kind}",
        context={"appointment": appointment},
        dedupe_key=f"appointment.{kind}:{appointment.pk}:{dedupe}",
    )


def _check_office(actor: User, customer: User, office: Office, other_office_reason: str) -> str:
    """The booking rule for *where*: the office the directory names for the customer's residence (or
    their recorded choice among its candidates). Office staff, agents and admins may book elsewhere
    with a reason (emergency advance parole, a case moved for interview), which is recorded and
    audited; customers and representatives cannot. Returns the reason to record ('' at home)."""
    reason = (other_office_reason or "").strip()
    try:
        home: Office | None = office_for_booking(customer)
    except ApplicationError:
        if actor.role not in BOOK_ELSEWHERE_ROLES:
            raise
        home = None  # no office to book at by residence: staff may still book with a reason
    if home is not None and home.pk == office.pk:
        return ""
    if actor.role not in BOOK_ELSEWHERE_ROLES:
        assert home is not None
        profile = customer.profile
        place = str(_("ZIP code {zip}")).format(zip=profile.zip_code) if profile.lives_in_us else profile.country.name  # type: ignore[attr-defined]  # a Country, typed as str by django-stubs
        message = str(WRONG_OFFICE).format(place=place, office=home.name, code=home.code)
        raise ApplicationError(message, code="wrong_office", fields={"office": [message]}, extra={"office": home.code})
    if not reason:
        message = str(REASON_FOR_OTHER_OFFICE).format(office=home.name if home else _("none"))
        raise ApplicationError(message, code="reason_required", fields={"other_office_reason": [message]},
                               extra={"office": home.code if home else None})
    if not office.offers_appointments:
        raise Conflict(str(NO_APPOINTMENTS_HERE).format(office=office.name), code="no_appointments",
                       extra={"office": office.code})
    return reason[:300]


def appointment_book(
    *, actor: User, office_code: str, start: datetime, reason_code: str, customer_email: str | None = None,
    notes: str = "", other_office_reason: str = "", now: datetime | None = None,
) -> Appointment:
    """Book a free appointment for the actor (a customer) or for a named customer (representative, staff)."""
    now = now or timezone.now()
    customer = _customer_for(actor, customer_email)
    office = office_by_code(office_code or "")  # the directory in memory (offices.jurisdiction)
    if office is None:
        raise ApplicationError.for_field("office", str(OFFICE_NOT_FOUND).format(code=office_code), code="unknown_office")
    start = _aware(start, office)
    # Cheap early answer for the many who lose a race, before a transaction is even begun; the
    # conditional upsert in _book is the real guard.
    # One plain statement (no queryset to build: the stampede's 990 losers answer from here).
    with connection.cursor() as cursor:
        cursor.execute(_SLOT_FULL_SQL, [office.pk, connection.ops.adapt_datetimefield_value(start)])  # SQLite: UTC text
        full = cursor.fetchone()
    if full is not None:
        raise Conflict(str(rules.SLOT_FULL), code="slot_full")
    return _book(actor=actor, customer=customer, office=office, start=start, reason_code=reason_code, notes=notes,
                 other_office_reason=other_office_reason, now=now)


@transaction.atomic
def _book(*, actor: User, customer: User, office: Office, start: datetime, reason_code: str,
          notes: str, other_office_reason: str, now: datetime) -> Appointment:
    reason = selectors.active_reason(reason_code)
    if reason is None or (office.is_international and not reason.international):
        raise ApplicationError.for_field("reason", str(UNKNOWN_REASON), code="unknown_reason")
    elsewhere = _check_office(actor, customer, office, other_office_reason)
    policy = selectors.policy_for(office)
    grid = _grid_slot(office, start, now=now, policy=policy)
    User.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()  # one booking at a time per customer
    mine = Appointment.objects.filter(customer=customer, status=AppointmentStatus.BOOKED, starts_at__gt=now)
    starts = list(mine.values_list("starts_at", flat=True))
    if grid.start in starts:
        raise Conflict(str(rules.ALREADY_BOOKED_THEN), code="already_booked")
    if len(starts) >= policy.max_active_per_customer:
        raise Conflict(str(rules.ACTIVE_LIMIT).format(count=policy.max_active_per_customer), code="active_limit")
    slot = _book_place(office, grid)
    appointment = Appointment(
        office=office, slot=slot, starts_at=slot.starts_at, ends_at=slot.ends_at, customer=customer,
        booked_by=actor, reason=reason, notes=notes.strip()[:500], other_office_reason=elsewhere,
    )
    # One statement, no savepoint: INSERT … ON CONFLICT DO NOTHING; a confirmation code already taken
    # (about one in 10^15) draws another. The customer's lock and the check above rule out the other
    # unique rule (one booking per customer per slot).
    for _attempt in range(5):
        appointment.confirmation_code = _new_code()
        if insert_unless_conflict(appointment):
            break
    else:
        raise Conflict(str(rules.ALREADY_BOOKED_THEN), code="already_booked")
    under: dict[str, int | None] = {}
    if actor.role == Role.REPRESENTATIVE:  # under the representation on record (customer_by_email found it)
        under = {"representation": active_representations(actor).filter(customer=customer).order_by(
            "-all_cases", "id").values_list("pk", flat=True).first()}
    audit_record(actor=actor, action="appointment.booked", target=appointment, customer=customer.pk,
                 starts_at=appointment.starts_at.isoformat(), office=office.code,
                 **({"other_office_reason": elsewhere} if elsewhere else {}), **under)
    _notify(appointment, "booked", "0")
    return appointment


def _locked_for_change(actor: User, appointment_id: int | str) -> Appointment:
    visible = selectors.appointment_get_for_user(actor, appointment_id)  # 404 when not theirs
    appointment = Appointment.objects.select_for_update().get(pk=visible.pk)  # no joins in a locking query
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(str(rules.NOT_ACTIVE).format(status=appointment.get_status_display().lower()), code="not_active")
    return appointment


@transaction.atomic
def appointment_cancel(*, actor: User, appointment_id: int | str, now: datetime | None = None) -> Appointment:
    now = now or timezone.now()
    appointment = _locked_for_change(actor, appointment_id)
    if actor.role in CUSTOMER_ROLES:  # staff may cancel up to the start
        _raise(rules.check_cancellable(starts_at=appointment.starts_at, now=now,
                                       policy=selectors.policy_for(appointment.office)))
    changed = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now, updated_at=now
    )
    if not changed:
        raise Conflict(str(STALE).format(status=_("changed")), code="stale")
    Slot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1)
    appointment.refresh_from_db()
    audit_record(actor=actor, action="appointment.cancelled", target=appointment)
    _notify(appointment, "cancelled", "0")
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, actor: User, appointment_id: int | str, start: datetime, now: datetime | None = None
) -> Appointment:
    """Move to a new time: the new place is taken and the old one freed in one transaction; if the
    new slot is full nothing changes."""
    now = now or timezone.now()
    appointment = _locked_for_change(actor, appointment_id)
    office = appointment.office
    policy = selectors.policy_for(office)
    _raise(rules.check_reschedulable(starts_at=appointment.starts_at, reschedule_count=appointment.reschedule_count,
                                     now=now, policy=policy))
    start = _aware(start, office)
    grid = _grid_slot(office, start, now=now, policy=policy)
    if grid.start == appointment.starts_at:
        raise Conflict(str(rules.SAME_SLOT), code="same_slot")
    if Appointment.objects.filter(customer_id=appointment.customer_id, status=AppointmentStatus.BOOKED,
                                  office=office, starts_at=grid.start).exists():
        raise Conflict(str(rules.ALREADY_BOOKED_THEN), code="already_booked")
    _ensure_slot(office, grid)
    new_slot_id = Slot.objects.filter(office=office, starts_at=grid.start).values_list("pk", flat=True).get()
    list(Slot.objects.select_for_update().filter(pk__in=[appointment.slot_id, new_slot_id]).order_by("pk"))
    new_slot = _take_place(office, grid)
    Slot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1)
    Appointment.objects.filter(pk=appointment.pk).update(
        slot=new_slot, starts_at=new_slot.starts_at, ends_at=new_slot.ends_at,
        reschedule_count=F("reschedule_count") + 1, reminder_sent_at=None, updated_at=now,
    )
    appointment.refresh_from_db()
    audit_record(actor=actor, action="appointment.rescheduled", target=appointment,
                 starts_at=appointment.starts_at.isoformat())
    _notify(appointment, "rescheduled", str(appointment.reschedule_count))
    return appointment


def _staff_transition(
    *, actor: User, appointment_id: int | str, expected: str, new: str, stamp: str | None, now: datetime | None,
    audit: str = "",
) -> Appointment:
    now = now or timezone.now()
    appointment = selectors.appointment_get_for_user(actor, appointment_id)
    if not access.acts_for_office(actor, appointment.office_id):  # seeing it is not running its day
        raise NotFound(str(selectors.APPOINTMENT_NOT_FOUND))
    if new == AppointmentStatus.NO_SHOW and now < appointment.starts_at:
        raise Conflict(str(NOT_YET), code="not_started")
    tz = appointment.office.time_zone
    if new == AppointmentStatus.CHECKED_IN and now.astimezone(tz).date() != appointment.starts_at.astimezone(tz).date():
        raise Conflict(str(NOT_TODAY), code="not_today")
    values = {"status": new, "updated_at": now, **({stamp: now} if stamp else {})}
    with transaction.atomic():
        changed = Appointment.objects.filter(pk=appointment.pk, status=expected).update(**values)
        if not changed:
            current = Appointment.objects.get(pk=appointment.pk)
            raise Conflict(str(STALE).format(status=current.get_status_display().lower()), code="stale")
        appointment.refresh_from_db()
        audit_record(actor=actor, action=audit or f"appointment.{new}", target=appointment)
    return appointment


def appointment_check_in(*, actor: User, appointment_id: int | str, now: datetime | None = None) -> Appointment:
    return _staff_transition(actor=actor, appointment_id=appointment_id, expected=AppointmentStatus.BOOKED,
                             new=AppointmentStatus.CHECKED_IN, stamp="checked_in_at", now=now)


def appointment_mark_no_show(*, actor: User, appointment_id: int | str, now: datetime | None = None) -> Appointment:
    return _staff_transition(actor=actor, appointment_id=appointment_id, expected=AppointmentStatus.BOOKED,
                             new=AppointmentStatus.NO_SHOW, stamp=None, now=now)


def appointment_complete(*, actor: User, appointment_id: int | str, now: datetime | None = None) -> Appointment:
    return _staff_transition(actor=actor, appointment_id=appointment_id, expected=AppointmentStatus.CHECKED_IN,
                             new=AppointmentStatus.COMPLETED, stamp="completed_at", now=now)


def appointment_undo_no_show(*, actor: User, appointment_id: int | str, now: datetime | None = None) -> Appointment:
    """A no-show marked by mistake (the customer was in the waiting room): back to booked, the same day only."""
    now = now or timezone.now()
    appointment = selectors.appointment_get_for_user(actor, appointment_id)
    tz = appointment.office.time_zone
    if appointment.status == AppointmentStatus.NO_SHOW and (
            now.astimezone(tz).date() != appointment.starts_at.astimezone(tz).date()):
        raise Conflict(str(UNDO_NOT_TODAY), code="not_today")
    return _staff_transition(actor=actor, appointment_id=appointment_id, expected=AppointmentStatus.NO_SHOW,
                             new=AppointmentStatus.BOOKED, stamp=None, now=now, audit="appointment.no_show_undone")


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Beat job: one reminder per appointment about a day ahead.

    Each appointment is claimed with a conditional UPDATE of `reminder_sent_at`, and the e-mail's
    dedupe key names the appointment and its time, so a second run or a second worker sends nothing
    again. A rescheduled appointment gets a new reminder for its new time.
    """
    now = now or timezone.now()
    longest = AppointmentPolicy.objects.aggregate(hours=Max("reminder_hours_before"))["hours"]
    window = timedelta(hours=max(longest or 0, rules.Policy().reminder_hours_before))
    due = (
        Appointment.objects.select_related("office", "customer__profile")
        .filter(status=AppointmentStatus.BOOKED, reminder_sent_at__isnull=True, starts_at__gt=now,
                starts_at__lte=now + window)
        .order_by("starts_at")
    )
    sent = 0
    policies: dict[int, rules.Policy] = {}
    for appointment in due:
        if appointment.office_id not in policies:
            policies[appointment.office_id] = selectors.policy_for(appointment.office)
        policy = policies[appointment.office_id]
        if not rules.reminder_due(starts_at=appointment.starts_at, now=now, policy=policy):
            continue
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, status=AppointmentStatus.BOOKED, reminder_sent_at__isnull=True,
                starts_at=appointment.starts_at,
            ).update(reminder_sent_at=now)
            if claimed:
                _notify(appointment, "reminder", appointment.starts_at.strftime("%Y%m%dT%H%M"))
                sent += 1
    return sent


SPANISH_REASON_FIELDS = ("label_es", "what_to_bring_es")
SCHEDULES_FILE = Path(__file__).resolve().parent / "data" / "schedules.yaml"


@transaction.atomic
def schedules_load(*, data: dict | None = None) -> dict[str, int]:
    """Load reasons, the default policy and demonstration schedules; what exists is left alone."""
    if data is None:
        data = yaml_file_load(SCHEDULES_FILE)
    counts = {"reasons": 0, "policies": 0, "schedule blocks": 0}
    for entry in data.get("reasons", []):
        values = {k: v for k, v in entry.items() if k != "code"}
        values.setdefault("label_en", values.get("label", ""))
        values.setdefault("what_to_bring_en", values.get("what_to_bring", ""))
        reason, created = AppointmentReason.objects.get_or_create(code=entry["code"], defaults=values)
        counts["reasons"] += created
        # Spanish the database still lacks is filled in; Spanish an admin wrote is left alone.
        blank = {f: values[f] for f in SPANISH_REASON_FIELDS if values.get(f) and not getattr(reason, f)}
        if blank and not created:
            AppointmentReason.objects.filter(pk=reason.pk).update(**blank)
    if data.get("policy") and not AppointmentPolicy.objects.filter(office__isnull=True).exists():
        AppointmentPolicy.objects.create(office=None, **data["policy"])
        counts["policies"] += 1
    own = data.get("offices") or {}
    have_schedule = set(ScheduleTemplate.objects.values_list("office_id", flat=True))
    for office in Office.objects.filter(offers_appointments=True).exclude(pk__in=have_schedule):
        spec = own.get(office.code, {})
        week = spec.get("week", data["default_week"])
        for weekday, opens, closes in parse_weekly_hours(week):
            ScheduleTemplate.objects.create(
                office=office, weekday=weekday, opens=opens, closes=closes,
                slot_minutes=spec.get("slot_minutes", data["default_slot_minutes"]),
                places=spec.get("places", data["default_places"]),
            )
            counts["schedule blocks"] += 1
    return counts
