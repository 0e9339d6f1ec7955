"""Writes for service requests: file, respond, note, transfer, relocate, close.

Each action is one transaction: lock the request, check who may act and that nothing changed
meanwhile (`version`), update with compare-and-swap, write the timeline event, and owe e-mails
through the outbox (sent after commit).
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, NotFound
from core.models import CUSTOMER_ROLES, Role, User
from core.notifications import notification_queue
from core.services import audit_record, residence_normalize
from offices import selectors as office_selectors
from offices.models import CASE_HOLDING_TYPES, Agency, ContactChannel, Office, OfficeType, Purpose, ReceiptPrefix

from . import rules, selectors, windows
from .models import (
    OPEN_STATUSES,
    PRIORITY_TYPES,
    CaseClass,
    Channel,
    Escalation,
    EventKind,
    ServiceRequest,
    ServiceRequestEvent,
    Status,
)
from .windows import Stage

DUPLICATE = _("You already have an open request of this kind for this receipt number: {reference}.")
NO_ROUTE = _("We could not tell which office holds this case. Give the ZIP code (or country) where the customer lives.")
NOT_YOURS_TO_ACT = _("Only staff of the office that now holds this request can do that.")
STALE = _("This request changed while you were looking at it (it is now {status} at {office}). Reload and try again.")
CLOSED_ALREADY = _("This request is {status}; it can no longer be changed.")
UNKNOWN_OFFICE = _("No office has the code {code}.")
NOT_A_CASE_OFFICE = _("Requests can be transferred only to a service center, the National Benefits Center, a field office or an asylum office.")
SAME_OFFICE = _("The request is already at {office}.")
UNKNOWN_AGENCY = _("Choose one of the listed agencies.")
EMPTY_TEXT = _("Write something first.")
ONLY_CUSTOMERS_FILE_ONLINE = _("Only customers and representatives file requests here; agents use the caller form.")


def _new_reference() -> str:
    return "SR" + "".join(secrets.choice(rules.REFERENCE_ALPHABET) for _ in range(rules.REFERENCE_LENGTH))


def route_for(*, receipt_number: str, zip_code: str = "", country: str = "") -> Office:
    """The office where the case is pending: the receipt prefix's service center, else the office
    with jurisdiction over the customer's residence."""
    if receipt_number:
        prefix = ReceiptPrefix.objects.select_related("office").filter(prefix=receipt_number[:3]).first()
        if prefix is None:
            message = str(rules.UNKNOWN_PREFIX).format(prefix=receipt_number[:3])
            raise ApplicationError(message, code="unknown_prefix", fields={"receipt_number": [message]})
        if prefix.office is not None:
            return prefix.office
    try:
        if zip_code or country:
            answer = office_selectors.residence_answer(zip_code=zip_code, country=country)
            if answer.office is not None:
                return answer.office
    except NotFound:
        pass
    raise ApplicationError(str(NO_ROUTE), code="no_route", fields={"zip_code": [str(NO_ROUTE)]})


def receipt_normalize(value: str) -> str:
    """A receipt number as stored ('' stays ''), or 400 on the receipt_number field."""
    if not value:
        return ""
    try:
        return rules.normalize_receipt(value)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_receipt", fields={"receipt_number": [str(exc)]}) from None


def _event(request: ServiceRequest, kind: str, *, actor: User | None, at: datetime, body: str = "",
           visible: bool = True, **offices: object) -> ServiceRequestEvent:
    return ServiceRequestEvent.objects.create(
        request=request, kind=kind, actor=actor, created_at=at, body=body, visible_to_customer=visible, **offices
    )


def _notify(request: ServiceRequest, kind: str, dedupe: str, **context: object) -> None:
    notification_queue(
        kind=f"service_request.{kind}", to_email=request.owner_email, user=request.customer,
        language=request.language, template=f"service_requests/email/{kind}",
        context={"request": request, **context},
        dedupe_key=f"service_request.{kind}:{request.pk}:{dedupe}",
    )


@transaction.atomic
def service_request_file(
    *, actor: User, request_type: str, description: str, receipt_number: str = "", case_class: str = CaseClass.STANDARD,
    channel: str | None = None, customer: User | None = None, contact_name: str = "", contact_email: str = "",
    zip_code: str = "", country: str = "", language: str | None = None, now: datetime | None = None,
) -> ServiceRequest:
    """File a request. Customers file for themselves online; representatives for a named customer;
    Contact Center agents for a caller (an existing customer, or a name and e-mail).

    Customers and representatives always file online; staff give the channel, agents' default being phone."""
    now = now or timezone.now()
    if actor.role not in rules.CALLER_FILING_ROLES:
        channel = Channel.ONLINE
    elif not channel:
        channel = Channel.PHONE if actor.role == Role.NCSC_AGENT else Channel.ONLINE
    receipt = receipt_normalize(receipt_number)
    if not (description or "").strip():
        raise ApplicationError.for_field("description", str(EMPTY_TEXT))
    refusal = rules.refusal_for(request_type=request_type, case_class=case_class, receipt_number=receipt)
    if refusal:
        field = "request_type" if request_type == "change_of_address" and receipt else "receipt_number"
        raise ApplicationError(refusal, code="refused", fields={field: [refusal]})
    owner, representative = _owner(actor, customer)
    if owner is None and not ((contact_name or "").strip() and (contact_email or "").strip()):
        message = str(rules.NO_ONE_TO_ANSWER)
        raise ApplicationError(message, code="no_one_to_answer", fields={
            name: [message] for name, value in (("contact_name", contact_name), ("contact_email", contact_email))
            if not (value or "").strip()
        })
    if owner is not None:
        profile = getattr(owner, "profile", None)
        zip_code = zip_code or (profile.zip_code if profile else "")
        country = country or (profile.country.code if profile and not profile.lives_in_us else "")
        language = language or (profile.preferred_language if profile else "en")
    elif zip_code or country:
        country, zip_code = residence_normalize(zip_code=zip_code, country=country)
        country = "" if country == "US" else country
    office = route_for(receipt_number=receipt, zip_code=zip_code, country=country)
    if owner is not None and receipt:
        existing = ServiceRequest.objects.filter(
            customer=owner, receipt_number=receipt, request_type=request_type, status__in=OPEN_STATUSES
        ).first()
        if existing is not None:
            raise Conflict(str(DUPLICATE).format(reference=existing.reference_number), code="duplicate",
                           extra={"reference_number": existing.reference_number})
    request = ServiceRequest(
        customer=owner, representative=representative, created_by=actor, contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(), language=language or "en", receipt_number=receipt,
        request_type=request_type, case_class=case_class, channel=channel, description=description.strip(),
        priority=request_type in PRIORITY_TYPES, current_office=office, created_at=now,
    )
    for attempt in range(5):
        request.reference_number = _new_reference()
        try:
            with transaction.atomic():
                request.save()
            break
        except IntegrityError as exc:
            if "reference_number" not in str(exc) and ServiceRequest.objects.filter(
                customer=owner, receipt_number=receipt, request_type=request_type, status__in=OPEN_STATUSES
            ).exists():  # a concurrent duplicate won the race
                raise Conflict(str(DUPLICATE).format(reference="…"), code="duplicate") from None
            if attempt == 4:
                raise
    Escalation.objects.create(
        request=request,
        window1_opens_at=windows.window1_opens_at(windows.Facts(created_at=now), selectors.escalation_policy()),
    )
    _event(request, EventKind.CREATED, actor=actor, at=now, to_office=office,
           body=str(_("Filed by {channel}.")).format(channel=request.get_channel_display()))
    audit_record(actor=actor, action="service_request.filed", target=request, office=office.code)
    _notify(request, "filed", "0")
    return request


def _owner(actor: User, customer: User | None) -> tuple[User | None, User | None]:
    """(customer who owns the request, representative) for the filing actor."""
    if actor.role == Role.CUSTOMER:
        return actor, None
    if actor.role == Role.REPRESENTATIVE:
        if customer is None:
            raise ApplicationError.for_field("customer", str(_("Give the e-mail of the customer you represent.")))
        return customer, actor
    if actor.role in rules.CALLER_FILING_ROLES:
        return customer, None
    raise ApplicationError(str(ONLY_CUSTOMERS_FILE_ONLINE), code="forbidden_role")


def _locked(actor: User, reference_number: str, expected_version: int | None) -> ServiceRequest:
    """Lock a request the actor may act on. 404 when it is not theirs to see; 409 when it changed
    meanwhile — including when a colleague transferred it away a moment ago."""
    if actor.role not in rules.REQUEST_ACTING_ROLES:  # customers cannot act as staff: 404, like strangers
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    # No joins in the locking query: Postgres re-checks a locked row after waiting, and a join to
    # the office it used to be at would make a just-transferred request vanish instead of conflict.
    request = ServiceRequest.objects.select_for_update().filter(
        reference_number=(reference_number or "").strip().upper()
    ).first()
    if request is None:
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    stale = Conflict(
        str(STALE).format(status=request.get_status_display().lower(), office=request.current_office.name),
        code="stale", extra={"version": request.version},
    )
    if not selectors.service_request_list_for_user(actor).filter(pk=request.pk).exists():
        left_here = actor.role == Role.OFFICE_STAFF and request.events.filter(
            kind=EventKind.TRANSFER, from_office_id=actor.office_id).exists()
        if left_here:
            raise stale
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    if expected_version is not None and request.version != expected_version:
        raise stale
    if not request.is_open:
        raise Conflict(str(CLOSED_ALREADY).format(status=request.get_status_display().lower()), code="not_open")
    return request


def _save(request: ServiceRequest, **changes: object) -> ServiceRequest:
    """Compare-and-swap on `version`; the row is locked, so this only fails if the lock was not real."""
    updated = ServiceRequest.objects.filter(pk=request.pk, version=request.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise Conflict(str(STALE).format(status=_("changed"), office=request.current_office.name), code="stale")
    request.refresh_from_db()
    return request


def _set_stage(request: ServiceRequest, **changes: object) -> None:
    """Keep the escalation row in step with the request (call inside the same transaction)."""
    Escalation.objects.filter(request=request).update(**changes)


def _text(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ApplicationError.for_field("body", str(EMPTY_TEXT))
    return text


@transaction.atomic
def service_request_respond(
    *, actor: User, reference_number: str, body: str, expected_version: int | None = None, now: datetime | None = None
) -> ServiceRequest:
    """A customer-visible answer. The first one stops the escalation clock; the customer is told
    to sign in to read it (case details never go out by e-mail)."""
    now = now or timezone.now()
    text = _text(body)
    request = _locked(actor, reference_number, expected_version)
    changes: dict[str, object] = {"status": Status.ANSWERED}
    if request.first_response_at is None:
        changes["first_response_at"] = now
    request = _save(request, **changes)
    _set_stage(request, stage=Stage.ANSWERED)
    event = _event(request, EventKind.RESPONSE, actor=actor, at=now, body=text)
    audit_record(actor=actor, action="service_request.responded", target=request)
    _notify(request, "responded", str(event.pk))
    return request


@transaction.atomic
def service_request_note(
    *, actor: User, reference_number: str, body: str, expected_version: int | None = None, now: datetime | None = None
) -> ServiceRequest:
    """An internal note: staff only, not a response, never shown or sent to the customer."""
    now = now or timezone.now()
    text = _text(body)
    request = _save(_locked(actor, reference_number, expected_version))
    _event(request, EventKind.NOTE, actor=actor, at=now, body=text, visible=False)
    return request


@transaction.atomic
def service_request_transfer(
    *, actor: User, reference_number: str, to_office: str, reason: str, expected_version: int | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Move the request to the office where the case is pending. Not a response: the customer's
    escalation clock keeps running."""
    now = now or timezone.now()
    target = Office.objects.filter(code=(to_office or "").strip().upper()).first()
    if target is None:
        raise ApplicationError.for_field("to_office", str(UNKNOWN_OFFICE).format(code=to_office))
    if target.office_type not in CASE_HOLDING_TYPES:
        raise ApplicationError.for_field("to_office", str(NOT_A_CASE_OFFICE))
    why = (reason or "").strip()
    if not why:
        raise ApplicationError.for_field("reason", str(_("Say why the request moves.")))
    request = _locked(actor, reference_number, expected_version)
    origin = request.current_office
    if target.pk == origin.pk:
        raise Conflict(str(SAME_OFFICE).format(office=target.name), code="same_office")
    request = _save(request, current_office=target)
    # Customers see where their request went; the reason is for staff.
    _event(request, EventKind.TRANSFER, actor=actor, at=now, body=why, visible=True, from_office=origin,
           to_office=target)
    audit_record(actor=actor, action="service_request.transferred", target=request, from_office=origin.code,
                 to_office=target.code, reason=why)
    return request


@transaction.atomic
def service_request_relocate(
    *, actor: User, reference_number: str, agency: str, reason: str = "", expected_version: int | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Send the request to another agency: the customer receives that agency's contact details."""
    now = now or timezone.now()
    target = Agency.objects.filter(code=(agency or "").strip()).first()
    if target is None:
        raise ApplicationError.for_field("agency", str(UNKNOWN_AGENCY))
    request = _locked(actor, reference_number, expected_version)
    changes: dict[str, object] = {"status": Status.RELOCATED, "relocated_to": target, "closed_at": now}
    if request.first_response_at is None:
        changes["first_response_at"] = now
    request = _save(request, **changes)
    _set_stage(request, stage=Stage.ANSWERED)
    _event(request, EventKind.RELOCATE, actor=actor, at=now, body=(reason or "").strip(), agency=target)
    audit_record(actor=actor, action="service_request.relocated", target=request, agency=target.code)
    _notify(request, "relocated", "0", agency=target)
    return request


@transaction.atomic
def service_request_close(
    *, actor: User, reference_number: str, reason: str = "", expected_version: int | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    now = now or timezone.now()
    request = _save(_locked(actor, reference_number, expected_version), status=Status.CLOSED, closed_at=now)
    _set_stage(request, stage=Stage.CLOSED)
    _event(request, EventKind.CLOSE, actor=actor, at=now, body=(reason or "").strip())
    audit_record(actor=actor, action="service_request.closed", target=request)
    return request


INQUIRY_NOT_YOURS = _("Only the customer or their representative can send this inquiry.")


def _locked_for_customer(actor: User, reference_number: str) -> ServiceRequest:
    """Lock a request the actor owns or represents; 404 for anyone else (staff included)."""
    visible = selectors.service_request_get_for_user(actor, reference_number)
    if actor.role not in CUSTOMER_ROLES:
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    return ServiceRequest.objects.select_for_update().get(pk=visible.pk)


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
    """Window 1 (§D.2): no response 15 days after the request, so the customer writes to the service
    center where the case is pending. The reference number goes with it automatically."""
    now = now or timezone.now()
    request = _locked_for_customer(actor, reference_number)
    policy = selectors.escalation_policy()
    office = request.current_office
    refusal = windows.check_service_center_inquiry(
        selectors.facts_for(request), policy, now, at_service_center=office.office_type == OfficeType.SERVICE_CENTER,
        office_name=office.name,
    )
    if refusal:
        raise _escalation_conflict(refusal)
    second = windows.opens_at(now, policy.window2_days, policy.window2_kind)
    request = _save(request, service_center_inquiry_at=now)
    _set_stage(request, stage=Stage.SC_INQUIRY_SENT, window2_opens_at=second)
    text = (message or "").strip() or str(_("No response within {days} days of the service request.")).format(
        days=policy.window1_days)
    _event(request, EventKind.SERVICE_CENTER_INQUIRY, actor=actor, at=now, body=text, to_office=office)
    audit_record(actor=actor, action="service_request.service_center_inquiry", target=request, office=office.code)
    _notify_office(request, _mailbox(office, Purpose.SR_FOLLOWUP), text, stage="service_center", dedupe="sc")
    return request


@transaction.atomic
def service_request_hq_inquiry(
    *, actor: User, reference_number: str, message: str = "", now: datetime | None = None
) -> ServiceRequest:
    """Window 2 (§D.2): no response 21 days after the service-center inquiry, so the customer
    contacts HQ Office of Service Center Operations."""
    now = now or timezone.now()
    request = _locked_for_customer(actor, reference_number)
    policy = selectors.escalation_policy()
    refusal = windows.check_hq_inquiry(selectors.facts_for(request), policy, now)
    if refusal:
        raise _escalation_conflict(refusal)
    request = _save(request, hq_inquiry_at=now)
    _set_stage(request, stage=Stage.HQ_ESCALATED)
    text = (message or "").strip() or str(_("No response within {days} days of the service-center inquiry.")).format(
        days=policy.window2_days)
    hq = Office.objects.filter(code="OSCO").first()
    _event(request, EventKind.HQ_INQUIRY, actor=actor, at=now, body=text, to_office=hq)
    audit_record(actor=actor, action="service_request.hq_inquiry", target=request)
    _notify_office(request, _mailbox(hq, Purpose.HQ_ESCALATION) if hq else "", text, stage="hq", dedupe="hq")
    return request
