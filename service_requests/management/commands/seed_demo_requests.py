from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from core.management.demo import DemoCommand
from core.models import User
from service_requests import services
from service_requests.models import Channel, RequestType, ServiceRequest
from service_requests.sweep import escalation_sweep

# (customer, filed by, type, receipt, days ago, description, internal note by vsc.staff)
DEMO_REQUESTS = [
    ("maria@example.com", "maria@example.com", RequestType.CARD_NOT_RECEIVED, "EAC2690012345", 30,
     "My card was approved last month but has not arrived at my address in Chicago.", ""),
    ("maria@example.com", "maria@example.com", RequestType.NOTICE_NOT_RECEIVED, "EAC2690054321", 2,
     "I never received the receipt notice for my application.",
     "Mail-room log checked: the notice was printed; no return yet."),
    ("jean@example.com", "agent", RequestType.OUTSIDE_PROCESSING_TIME, "LIN2690011111", 5,
     "Caller says the case is well past the posted processing time.", ""),
]


class Command(DemoCommand):
    help = ("File a few demo service requests for the demo customers (one old enough for its service-center "
            "window to be open), then run the escalation sweep. Needs seed_demo; refused with DEBUG off.")

    def handle(self, *args: object, **options: object) -> None:
        users = User.objects.in_bulk(["maria@example.com", "jean@example.com", "agent", "vsc.staff"],
                                     field_name="username")
        if len(users) < 4:
            raise CommandError("Run `manage.py seed_demo` first: the demo accounts are missing.")
        now = timezone.now()
        self.stdout.write(self.style.SUCCESS("Demo service requests:"))
        for owner, filer, kind, receipt, days, text, note in DEMO_REQUESTS:
            request = ServiceRequest.objects.filter(customer=users[owner], receipt_number=receipt).first()
            if request is None:
                actor = users[filer]
                request = services.service_request_file(
                    actor=actor, customer=None if actor == users[owner] else users[owner], request_type=kind,
                    receipt_number=receipt, description=text, now=now - timedelta(days=days),
                    channel=Channel.ONLINE if actor == users[owner] else Channel.PHONE,
                )
                if note:
                    services.service_request_note(actor=users["vsc.staff"], reference_number=request.reference_number,
                                                  body=note)
            self.stdout.write(f"  {request.reference_number}  {owner:<20} {request.current_office.code:<5} "
                              f"{request.get_request_type_display()}, filed {request.created_at:%Y-%m-%d}")
        result = escalation_sweep()
        self.stdout.write(f"  escalation sweep: {result.window1_opened} service-center window(s) opened")
