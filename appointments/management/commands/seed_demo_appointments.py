
from django.core.management.base import CommandError
from django.utils import timezone

from appointments import selectors, services
from appointments.models import Appointment, AppointmentStatus
from core.management.demo import DemoCommand
from core.models import User
from offices.models import Office

CUSTOMER, OFFICE, REASON = "maria@example.com", "CHI", "information"


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
