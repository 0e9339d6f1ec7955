from datetime import datetime, timedelta

from django.contrib.auth.models import Permission
from django.core.management.base import CommandError
from django.utils import timezone

from core.management.demo import DemoCommand
from core.models import User
from service_requests import services
from service_requests.models import Channel, RequestType, SavedFilter, ServiceRequest
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

# Escalated all the way to HQ (so hq.osco's dashboard has data and charts): (customer, type, receipt, days ago,
# answered days after filing or None). Each is filed that long ago, the customer writes to the service center
# once window 1 (15 days) has opened, and contacts HQ once window 2 (21 days) has.
HQ_REQUESTS = [
    ("maria@example.com", RequestType.OUTSIDE_PROCESSING_TIME, "EAC2690020001", 70, None),
    ("maria@example.com", RequestType.CARD_NOT_RECEIVED, "WAC2690020002", 65, 45),
    ("jean@example.com", RequestType.NOTICE_NOT_RECEIVED, "LIN2690020003", 75, None),
    ("jean@example.com", RequestType.DOCUMENT_NOT_RECEIVED, "SRC2690020004", 62, 50),
    ("maria@example.com", RequestType.TYPOGRAPHIC_ERROR, "SRC2690020005", 80, None),
    ("jean@example.com", RequestType.OUTSIDE_PROCESSING_TIME, "WAC2690020006", 90, 60),
]
# Held by the VSC officers: (receipt, officer).
ASSIGNED = [("EAC2690012345", "vsc.staff"), ("EAC2690020001", "vsc.staff"), ("EAC2690054321", "vsc.officer")]
SAVED_VIEWS = [("vsc.staff", "Escalated to HQ, due first", "inquiry=hq&sort=due"),
               ("vsc.staff", "Waiting for anyone", "holder=unassigned&sort=oldest")]
SUPERVISOR = "vsc.staff"  # may assign requests to the other officers of the office


def _escalated(customer: User, kind: str, receipt: str, days: int, answered_after: int | None, *, admin: User,
               now: datetime) -> ServiceRequest:
    filed = now - timedelta(days=days)
    request = services.service_request_file(actor=customer, request_type=kind, receipt_number=receipt, now=filed,
                                            description="Demo: no answer yet, so the customer escalated.")
    reference = request.reference_number
    services.service_request_service_center_inquiry(actor=customer, reference_number=reference,
                                                    message="Still waiting.", now=filed + timedelta(days=16))
    request = services.service_request_hq_inquiry(actor=customer, reference_number=reference,
                                                  message="Still no answer.", now=filed + timedelta(days=38))
    if answered_after is not None:
        request = services.service_request_respond(actor=admin, reference_number=reference,
                                                   body="We have reviewed your case; see the notice we mailed.",
                                                   now=filed + timedelta(days=answered_after))
    return request


class Command(DemoCommand):
    help = ("File a few demo service requests for the demo customers (one old enough for its service-center "
            "window to be open), then run the escalation sweep. Needs seed_demo; refused with DEBUG off.")

    def handle(self, *args: object, **options: object) -> None:
        names = ["maria@example.com", "jean@example.com", "agent", "vsc.staff", "vsc.officer", "admin"]
        users = User.objects.in_bulk(names, field_name="username")
        if len(users) < len(names):
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
        self.stdout.write(self.style.SUCCESS("Escalated to HQ Office of Service Center Operations:"))
        for owner, kind, receipt, days, answered in HQ_REQUESTS:
            request = ServiceRequest.objects.filter(customer=users[owner], receipt_number=receipt).first()
            if request is None:
                request = _escalated(users[owner], kind, receipt, days, answered, admin=users["admin"], now=now)
            self.stdout.write(f"  {request.reference_number}  {owner:<20} {request.current_office.code:<5} "
                              f"{request.get_status_display()}, filed {request.created_at:%Y-%m-%d}")
        result = escalation_sweep()
        self.stdout.write(f"  escalation sweep: {result.window1_opened} service-center window(s) opened")
        self.stdout.write(self.style.SUCCESS("Assigned, saved views and the supervisor:"))
        for receipt, officer in ASSIGNED:
            request = ServiceRequest.objects.get(receipt_number=receipt)
            if request.assigned_to_id is None:
                services.service_request_take(actor=users[officer], reference_number=request.reference_number)
            self.stdout.write(f"  {receipt} held by {officer}")
        users[SUPERVISOR].user_permissions.add(Permission.objects.get(codename="assign_requests"))
        for owner, name, query in SAVED_VIEWS:
            if not SavedFilter.objects.filter(owner=users[owner], name=name).exists():
                services.saved_filter_save(owner=users[owner], name=name, query=query)
            self.stdout.write(f"  {owner}: saved view \"{name}\" (?{query})")
        self.stdout.write(f"  {SUPERVISOR} may assign requests at VSC (permission service_requests.assign_requests)")
