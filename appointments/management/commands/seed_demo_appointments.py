
from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from appointments import selectors, services
from appointments.models import Appointment, AppointmentStatus
from core.management.demo import DemoCommand
from core.models import User
from offices.models import Office

CUSTOMER, OFFICE, REASON = "maria@example.com", "CHI", "information"
# Booked for the day `make run` runs (or the office's next open day), for chi.staff to check in: morning,
# midday and the last slot, each as if booked the day before.
TODAY_CUSTOMERS = ["ana@example.com", "jose@example.com", "li@example.com"]
LOOK_AHEAD_DAYS = 7


class Command(DemoCommand):
    help = ("Book the demo customer's next free appointment at the Chicago Field Office, unless she already has "
            "one coming. Needs seed_demo and load_schedules; refused with DEBUG off.")

    def handle(self, *args: object, **options: object) -> None:
        customer = User.objects.filter(username=CUSTOMER).first()
        office = Office.objects.filter(code=OFFICE).first()
        if customer is None or office is None:
            raise CommandError("Run `manage.py load_directory` and `manage.py seed_demo` first.")
        now = timezone.now()
        appointment = Appointment.objects.filter(
            customer=customer, status=AppointmentStatus.BOOKED, starts_at__gt=now
        ).first()
        if appointment is None:
            free = [s for s in selectors.bookable_availability(office, now=now, within_days=30) if s.remaining]
            if not free:
                raise CommandError(f"No free slot at {OFFICE} in the next 30 days: run `manage.py load_schedules`.")
            appointment = services.appointment_book(actor=customer, office_code=OFFICE, start=free[0].start,
                                                    reason_code=REASON, now=now)
        local = timezone.localtime(appointment.starts_at, office.time_zone)
        self.stdout.write(self.style.SUCCESS("Demo appointment:"))
        self.stdout.write(f"  {appointment.confirmation_code}  {CUSTOMER} at {OFFICE}, {local:%Y-%m-%d %H:%M %Z}")
        self._office_day(office, now)

    def _office_day(self, office: Office, now) -> None:  # type: ignore[no-untyped-def]
        """Appointments on today's office day at Chicago (the next open day if it is closed today)."""
        people = list(User.objects.filter(username__in=TODAY_CUSTOMERS).order_by("username"))
        if len(people) < len(TODAY_CUSTOMERS):
            raise CommandError("Run `manage.py seed_demo` first: the demo customers are missing.")
        today = now.astimezone(office.time_zone).date()
        for offset in range(LOOK_AHEAD_DAYS):
            day = today + timedelta(days=offset)
            booked_before = now - timedelta(days=1) + timedelta(days=offset)
            slots = selectors.availability(office, first=day, last=day, now=booked_before)
            if slots:
                break
        else:
            raise CommandError(f"{OFFICE} has no open day in the next {LOOK_AHEAD_DAYS} days: run load_schedules.")
        if day != today:
            self.stdout.write(f"  {OFFICE} is closed today: the office day below is {day:%A %Y-%m-%d}")
        picks = [slots[0], slots[len(slots) // 2], slots[-1]]
        self.stdout.write(self.style.SUCCESS(f"For chi.staff to check in ({day:%Y-%m-%d}):"))
        for person, slot in zip(people, picks, strict=True):
            mine = [a for a in selectors.office_day(office, day) if a.customer_id == person.pk]
            appointment = mine[0] if mine else services.appointment_book(
                actor=person, office_code=OFFICE, start=slot.start, reason_code=REASON, now=booked_before)
            local = timezone.localtime(appointment.starts_at, office.time_zone)
            self.stdout.write(f"  {appointment.confirmation_code}  {person.username:<20} {local:%H:%M}")
