"""Who works a request: an officer takes it, a supervisor assigns it, an absence hands it back.

Assignment is staff-only bookkeeping: it never changes `version` (a colleague's open form stays
valid), never appears on the customer's timeline, and is audited. Taking is race-safe: the row is
locked (select_for_update) and the write is conditional (… WHERE assigned_to IS NULL), so of two
officers taking at once one holds it and the other is told who does.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, Forbidden
from core.models import Role, User
from core.services import audit_record

from ..models import OPEN_STATUSES, ServiceRequest
from .common import locked_for_staff

HELD_BY = _("{name} already holds this request.")
NOT_A_SUPERVISOR = _("Only a supervisor can assign requests to an officer.")
NOT_AN_OFFICER_HERE = _("{name} is not an officer at {office}.")
NOT_HELD = _("Nobody holds this request.")
NOT_YOURS_TO_RELEASE = _("Only the officer who holds a request, or a supervisor, can hand it back.")
UNKNOWN_OFFICER = _("No officer has the username {username}.")


def holder_name(user: User) -> str:
    return user.get_full_name() or user.username


def is_supervisor(user: User) -> bool:
    """Supervisors assign work at their office: admins, and office staff granted assign_requests."""
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    return user.role == Role.OFFICE_STAFF and user.has_perm("service_requests.assign_requests")


def _held(request: ServiceRequest) -> Conflict:
    holder = request.assigned_to
    name = holder_name(holder) if holder is not None else ""
    return Conflict(str(HELD_BY).format(name=name), code="held", extra={"held_by": name})


@transaction.atomic
def service_request_take(*, actor: User, reference_number: str, now: datetime | None = None) -> ServiceRequest:
    """The actor takes an untaken request (taking one's own again changes nothing)."""
    request = locked_for_staff(actor, reference_number, None)
    if request.assigned_to_id == actor.pk:
        return request
    if request.assigned_to_id is not None:
        raise _held(request)
    now = now or timezone.now()
    taken = ServiceRequest.objects.filter(pk=request.pk, assigned_to__isnull=True).update(
        assigned_to=actor, assigned_at=now)
    request.refresh_from_db()
    if not taken:  # only if the lock was not real
        raise _held(request)
    audit_record(actor=actor, action="service_request.taken", target=request)
    return request


def _officer_at(username: str, office_id: int) -> User:
    officer = User.objects.filter(username=(username or "").strip(), is_active=True).select_related("office").first()
    if officer is None:
        raise ApplicationError.for_field("officer", str(UNKNOWN_OFFICER).format(username=username))
    if officer.role != Role.OFFICE_STAFF or officer.office_id != office_id:
        from offices.models import Office

        office = Office.objects.get(pk=office_id)
        raise ApplicationError.for_field("officer", str(NOT_AN_OFFICER_HERE).format(
            name=holder_name(officer), office=office.name))
    return officer


@transaction.atomic
def service_request_assign(*, actor: User, reference_number: str, officer: str,
                           now: datetime | None = None) -> ServiceRequest:
    """A supervisor gives the request to an officer of the office that holds it (reassigning it if held)."""
    if not is_supervisor(actor):
        locked_for_staff(actor, reference_number, None)  # 404 for strangers first
        raise Forbidden(str(NOT_A_SUPERVISOR))
    request = locked_for_staff(actor, reference_number, None)
    target = _officer_at(officer, request.current_office_id)
    previous = request.assigned_to
    if previous is not None and previous.pk == target.pk:
        return request
    now = now or timezone.now()
    ServiceRequest.objects.filter(pk=request.pk).update(assigned_to=target, assigned_at=now)
    request.refresh_from_db()
    audit_record(actor=actor, action="service_request.assigned", target=request, officer=target.username,
                 previous=previous.username if previous else "")
    return request


@transaction.atomic
def service_request_release(*, actor: User, reference_number: str) -> ServiceRequest:
    """The holder (or a supervisor) hands the request back to the office's queue."""
    request = locked_for_staff(actor, reference_number, None)
    if request.assigned_to_id is None:
        raise Conflict(str(NOT_HELD), code="not_held")
    if request.assigned_to_id != actor.pk and not is_supervisor(actor):
        raise Forbidden(str(NOT_YOURS_TO_RELEASE))
    holder = request.assigned_to
    ServiceRequest.objects.filter(pk=request.pk).update(assigned_to=None, assigned_at=None)
    request.refresh_from_db()
    audit_record(actor=actor, action="service_request.released", target=request,
                 officer=holder.username if holder else "")
    return request


def held_by(officer: User) -> QuerySet[ServiceRequest]:
    """An officer's open requests ("my requests")."""
    return ServiceRequest.objects.filter(assigned_to=officer, status__in=OPEN_STATUSES)


@transaction.atomic
def officer_absence_hand_back(*, actor: User, officer: str = "") -> int:
    """An officer away (leave, sickness): their open requests go back to the office's queue, each audited.
    Officers do it for themselves; a supervisor for an officer of their office. Returns how many."""
    if officer and officer.strip() != actor.username:
        if not is_supervisor(actor):
            raise Forbidden(str(NOT_A_SUPERVISOR))
        away = User.objects.filter(username=officer.strip(), is_active=True).first()
        if away is None or (actor.role != Role.ADMIN and away.office_id != actor.office_id):
            raise ApplicationError.for_field("officer", str(UNKNOWN_OFFICER).format(username=officer))
    else:
        away = actor
    rows = list(held_by(away).select_for_update().order_by("id"))
    ServiceRequest.objects.filter(pk__in=[r.pk for r in rows]).update(assigned_to=None, assigned_at=None)
    for row in rows:
        audit_record(actor=actor, action="service_request.released", target=row, officer=away.username,
                     reason="absence")
    return len(rows)
