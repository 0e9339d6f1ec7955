"""Staff actions on a request: respond, note, transfer, relocate, close."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict
from core.models import User
from core.services import audit_record
from offices.models import CASE_HOLDING_TYPES, Agency, Office

from ..models import EventKind, HoldingBasis, ServiceRequest, Status
from ..windows import Stage
from .common import (
    CLOSED_ALREADY,
    EMPTY_TEXT,
    customer_notify,
    event_add,
    locked_for_staff,
    save_versioned,
    stage_set,
    text_required,
)

__all__ = ["CLOSED_ALREADY", "EMPTY_TEXT"]

UNKNOWN_OFFICE = _("No office has the code {code}.")
NOT_A_CASE_OFFICE = _("Requests can be transferred only to a service center, the National Benefits Center, a field office or an asylum office.")
SAME_OFFICE = _("The request is already at {office}.")
UNKNOWN_AGENCY = _("Choose one of the listed agencies.")


@transaction.atomic
def service_request_respond(
    *, actor: User, reference_number: str, body: str, expected_version: int | None = None, now: datetime | None = None
) -> ServiceRequest:
    """A customer-visible answer. The first one stops the escalation clock; the customer is told
    to sign in to read it (case details never go out by e-mail)."""
    text = text_required(body)
    request = locked_for_staff(actor, reference_number, expected_version)
    now = now or timezone.now()  # after the lock: ordered as the transitions commit
    changes: dict[str, object] = {"status": Status.ANSWERED}
    if request.first_response_at is None:
        changes["first_response_at"] = now
    request = save_versioned(request, **changes)
    stage_set(request, stage=Stage.ANSWERED)
    event = event_add(request, EventKind.RESPONSE, actor=actor, at=now, body=text)
    audit_record(actor=actor, action="service_request.responded", target=request)
    customer_notify(request, "responded", str(event.pk))
    return request


@transaction.atomic
def service_request_note(
    *, actor: User, reference_number: str, body: str, expected_version: int | None = None, now: datetime | None = None
) -> ServiceRequest:
    """An internal note: staff only, not a response, never shown or sent to the customer."""
    text = text_required(body)
    request = save_versioned(locked_for_staff(actor, reference_number, expected_version))
    now = now or timezone.now()
    event_add(request, EventKind.NOTE, actor=actor, at=now, body=text, visible=False)
    return request


@transaction.atomic
def service_request_transfer(
    *, actor: User, reference_number: str, to_office: str, reason: str, expected_version: int | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Move the request to the office where the case is pending. Not a response: the customer's
    escalation clock keeps running."""
    target = Office.objects.filter(code=(to_office or "").strip().upper()).first()
    if target is None:
        raise ApplicationError.for_field("to_office", str(UNKNOWN_OFFICE).format(code=to_office))
    if target.office_type not in CASE_HOLDING_TYPES:
        raise ApplicationError.for_field("to_office", str(NOT_A_CASE_OFFICE))
    why = (reason or "").strip()
    if not why:
        raise ApplicationError.for_field("reason", str(_("Say why the request moves.")))
    request = locked_for_staff(actor, reference_number, expected_version)
    now = now or timezone.now()
    origin = request.current_office
    if target.pk == origin.pk:
        raise Conflict(str(SAME_OFFICE).format(office=target.name), code="same_office")
    request = save_versioned(request, current_office=target, holding_basis=HoldingBasis.TRANSFER)
    # Customers see where their request went; the reason is for staff.
    event_add(request, EventKind.TRANSFER, actor=actor, at=now, body=why, visible=True, from_office=origin,
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
    target = Agency.objects.filter(code=(agency or "").strip()).first()
    if target is None:
        raise ApplicationError.for_field("agency", str(UNKNOWN_AGENCY))
    request = locked_for_staff(actor, reference_number, expected_version)
    now = now or timezone.now()
    changes: dict[str, object] = {"status": Status.RELOCATED, "relocated_to": target, "closed_at": now}
    if request.first_response_at is None:
        changes["first_response_at"] = now
    request = save_versioned(request, **changes)
    stage_set(request, stage=Stage.ANSWERED)
    event_add(request, EventKind.RELOCATE, actor=actor, at=now, body=(reason or "").strip(), agency=target)
    audit_record(actor=actor, action="service_request.relocated", target=request, agency=target.code)
    customer_notify(request, "relocated", "0", agency=target)
    return request


@transaction.atomic
def service_request_close(
    *, actor: User, reference_number: str, reason: str = "", expected_version: int | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    request = locked_for_staff(actor, reference_number, expected_version)
    now = now or timezone.now()
    request = save_versioned(request, status=Status.CLOSED, closed_at=now)
    stage_set(request, stage=Stage.CLOSED)
    event_add(request, EventKind.CLOSE, actor=actor, at=now, body=(reason or "").strip())
    audit_record(actor=actor, action="service_request.closed", target=request, reason=(reason or "").strip())
    return request


BULK_ACTIONS = ("close", "transfer")
BULK_LIMIT = 100
BULK_NOTHING = _("Choose at least one request.")
BULK_TOO_MANY = _("Choose at most {limit} requests at a time.")
BULK_REASON = _("Give one reason for all of them.")


@transaction.atomic
def service_request_bulk(*, actor: User, action: str, reference_numbers: list[str], reason: str,
                         to_office: str = "", now: datetime | None = None) -> list[ServiceRequest]:
    """Close or transfer several requests with one reason: all of them or none (the first refusal
    says which request and why), each one audited and on its timeline as if done alone."""
    if action not in BULK_ACTIONS:
        raise ApplicationError.for_field("action", str(_("Choose close or transfer.")))
    references = list(dict.fromkeys(r.strip().upper() for r in reference_numbers if r and r.strip()))
    if not references:
        raise ApplicationError.for_field("reference_numbers", str(BULK_NOTHING))
    if len(references) > BULK_LIMIT:
        raise ApplicationError.for_field("reference_numbers", str(BULK_TOO_MANY).format(limit=BULK_LIMIT))
    why = (reason or "").strip()
    if not why:
        raise ApplicationError.for_field("reason", str(BULK_REASON))
    now = now or timezone.now()
    done = []
    for reference in references:
        try:
            if action == "close":
                done.append(service_request_close(actor=actor, reference_number=reference, reason=why, now=now))
            else:
                done.append(service_request_transfer(actor=actor, reference_number=reference, to_office=to_office,
                                                     reason=why, now=now))
        except ApplicationError as exc:
            if "to_office" in exc.fields:
                raise
            raise type(exc)(f"{reference}: {exc.message}", code=exc.code, fields=exc.fields, extra={
                **exc.extra, "reference_number": reference}) from None
    return done
