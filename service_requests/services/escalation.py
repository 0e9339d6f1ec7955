"""The customer's steps up the escalation ladder (§D.2): the service-center inquiry, then HQ."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound
from core.models import CUSTOMER_ROLES, RepresentationStatus, Role, User
from core.notifications import notification_queue
from core.representation import representation_for_case
from core.services import audit_record
from offices.models import ContactChannel, Office, Purpose
from offices.selectors import agency_closure_days

from .. import selectors, windows
from ..models import EventKind, ServiceRequest
from ..windows import Stage
from .common import event_add, save_versioned, stage_set

INQUIRY_NOT_YOURS = _("Only the customer or their representative can send this inquiry.")


def _locked_for_customer(actor: User, reference_number: str) -> ServiceRequest:
    """Lock a request the actor owns or represents; 404 for anyone else (staff included)."""
    visible = selectors.service_request_get_for_user(actor, reference_number)
    if actor.role not in CUSTOMER_ROLES:
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    return ServiceRequest.objects.select_for_update().get(pk=visible.pk)


def _under(actor: User, request: ServiceRequest) -> dict[str, int]:
    """A representative's step names the representation on record it is taken under."""
    if actor.role != Role.REPRESENTATIVE or request.customer is None:
        return {}
    under = request.representation
    if under is None or under.representative_id != actor.pk or under.status != RepresentationStatus.ACTIVE:
        under = representation_for_case(actor, request.customer, request.receipt_number)
    return {"representation": under.pk}


def _escalation_conflict(refusal: windows.Refusal) -> Conflict:
    extra = {"opens_on": refusal.opens_on.isoformat()} if refusal.opens_on else {}
    return Conflict(refusal.message, code=refusal.code, extra=extra)


def _mailbox(office: Office, purpose: str) -> str:
    channel = ContactChannel.objects.filter(office=office, purpose=purpose, kind="email", is_active=True).first()
    return channel.value if channel else ""


def _notify_office(request: ServiceRequest, mailbox: str, text: str, *, stage: str, dedupe: str) -> None:
    """The customer's inquiry, forwarded to the office's mailbox (once), when it has one."""
    if mailbox:
        notification_queue(kind="service_request.inquiry_to_office", to_email=mailbox, language="en",
                           template="service_requests/email/inquiry_to_office",
                           context={"request": request, "message": text, "stage": stage},
                           dedupe_key=f"service_request.inquiry_to_office:{request.pk}:{dedupe}")


@transaction.atomic
def service_request_service_center_inquiry(
    *, actor: User, reference_number: str, message: str = "", now: datetime | None = None
) -> ServiceRequest:
    """Window 1 (§D.2): no response within the request's first window, so the customer follows up
    with the reference number: to the service center holding the case (its mailbox), or, for any
    other holder, through the Contact Center (it lands in the holding office's queue)."""
    request = _locked_for_customer(actor, reference_number)
    now = now or timezone.now()  # after the lock: a response that committed first is seen, and dated before
    refusal = windows.check_service_center_inquiry(selectors.facts_for(request), now)
    if refusal:
        raise _escalation_conflict(refusal)
    escalation = request.escalation
    terms = selectors.terms_for(escalation)
    office = request.current_office
    at_sc = selectors.holds_at_service_center(request)
    second = (windows.window2_opening(now, terms, agency_closure_days())
              if windows.hq_applies(terms, at_service_center=at_sc) else None)
    request = save_versioned(request, service_center_inquiry_at=now)
    stage_set(request, stage=Stage.SC_INQUIRY_SENT, window2_opens_at=second)
    text = (message or "").strip() or str(_("No response within {days} {kind} of the service request.")).format(
        days=terms.window1_days, kind=windows.day_kind_words(terms.window1_kind))
    kind = EventKind.SERVICE_CENTER_INQUIRY if at_sc else EventKind.CONTACT_CENTER_INQUIRY
    event_add(request, kind, actor=actor, at=now, body=text, to_office=office)
    audit_record(actor=actor, action="service_request.service_center_inquiry", target=request, office=office.code,
                 via="service_center" if at_sc else "contact_center", **_under(actor, request))
    _notify_office(request, _mailbox(office, Purpose.SR_FOLLOWUP), text, stage="service_center", dedupe="sc")
    return request


@transaction.atomic
def service_request_hq_inquiry(
    *, actor: User, reference_number: str, message: str = "", now: datetime | None = None
) -> ServiceRequest:
    """Window 2 (§D.2): no response within the second window of the follow-up inquiry, so the
    customer contacts HQ Office of Service Center Operations."""
    request = _locked_for_customer(actor, reference_number)
    now = now or timezone.now()
    terms = selectors.terms_for(request.escalation)
    refusal = windows.check_hq_inquiry(selectors.facts_for(request), now, window2_days=terms.window2_days)
    if refusal:
        raise _escalation_conflict(refusal)
    request = save_versioned(request, hq_inquiry_at=now)
    stage_set(request, stage=Stage.HQ_ESCALATED)
    text = (message or "").strip() or str(_("No response within {days} {kind} of the follow-up inquiry.")).format(
        days=terms.window2_days, kind=windows.day_kind_words(terms.window2_kind))
    hq = Office.objects.filter(code="OSCO").first()
    event_add(request, EventKind.HQ_INQUIRY, actor=actor, at=now, body=text, to_office=hq)
    audit_record(actor=actor, action="service_request.hq_inquiry", target=request, **_under(actor, request))
    _notify_office(request, _mailbox(hq, Purpose.HQ_ESCALATION) if hq else "", text, stage="hq", dedupe="hq")
    return request
