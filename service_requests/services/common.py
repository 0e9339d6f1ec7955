"""What every write on a request shares: locking, compare-and-swap, timeline events, e-mails."""

from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, NotFound
from core.models import Role, User
from core.notifications import notification_queue

from .. import rules, selectors
from ..models import Escalation, EventKind, ServiceRequest, ServiceRequestEvent

NOT_YOURS_TO_ACT = _("Only staff of the office that now holds this request can do that.")
STALE = _("This request changed while you were looking at it (it is now {status} at {office}). Reload and try again.")
CLOSED_ALREADY = _("This request is {status}; it can no longer be changed.")
EMPTY_TEXT = _("Write something first.")


def receipt_normalize(value: str) -> str:
    """A receipt number as stored ('' stays ''), or 400 on the receipt_number field."""
    if not value:
        return ""
    try:
        return rules.normalize_receipt(value)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_receipt", fields={"receipt_number": [str(exc)]}) from None


def event_add(request: ServiceRequest, kind: str, *, actor: User | None, at: datetime, body: str = "",
              visible: bool = True, **offices: object) -> ServiceRequestEvent:
    return ServiceRequestEvent.objects.create(
        request=request, kind=kind, actor=actor, created_at=at, body=body, visible_to_customer=visible, **offices
    )


def customer_notify(request: ServiceRequest, kind: str, dedupe: str, **context: object) -> None:
    notification_queue(
        kind=f"service_request.{kind}", to_email=request.owner_email, user=request.customer,
        language=request.language, template=rules.email_template(kind, request.case_class),
        context={"request": request, **context},
        dedupe_key=f"service_request.{kind}:{request.pk}:{dedupe}",
    )


def locked_for_staff(actor: User, reference_number: str, expected_version: int | None) -> ServiceRequest:
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

    def stale() -> Conflict:  # built only when refused: it reads the office the request is at now
        return Conflict(
            str(STALE).format(status=request.get_status_display().lower(), office=request.current_office.name),
            code="stale", extra={"version": request.version},
        )

    if not selectors.service_request_list_for_user(actor).filter(pk=request.pk).exists():
        left_here = actor.role == Role.OFFICE_STAFF and request.events.filter(
            kind=EventKind.TRANSFER, from_office_id=actor.office_id).exists()
        if left_here:
            raise stale()
        raise NotFound(str(selectors.REQUEST_NOT_FOUND))
    if expected_version is not None and request.version != expected_version:
        raise stale()
    if not request.is_open:
        raise Conflict(str(CLOSED_ALREADY).format(status=request.get_status_display().lower()), code="not_open")
    return request


def save_versioned(request: ServiceRequest, **changes: object) -> ServiceRequest:
    """Compare-and-swap on `version`; the row is locked, so this only fails if the lock was not real."""
    updated = ServiceRequest.objects.filter(pk=request.pk, version=request.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise Conflict(str(STALE).format(status=_("changed"), office=request.current_office.name), code="stale")
    # Read back with the office (a transfer changes it) and the customer: the e-mail owed and the answer's detail
    # read both, and a plain refresh would leave each to a query of its own.
    request.refresh_from_db(from_queryset=ServiceRequest.objects.select_related("current_office", "customer"))
    return request


def stage_set(request: ServiceRequest, **changes: object) -> None:
    """Keep the escalation row in step with the request (call inside the same transaction)."""
    Escalation.objects.filter(request=request).update(**changes)


def text_required(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ApplicationError.for_field("body", str(EMPTY_TEXT))
    return text
