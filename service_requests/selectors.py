"""Reads and visibility for service requests. Every view goes through these."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from core.models import CONTACT_CENTER_ROLES, Role, User
from offices.models import OfficeType

from . import windows
from .models import OPEN_STATUSES, EscalationPolicy, EventKind, ServiceRequest, ServiceRequestEvent

REQUEST_NOT_FOUND = _("No service request with that reference number is yours to see.")


def service_request_list_for_user(user: User) -> QuerySet[ServiceRequest]:
    """Customers: their own (or as representative). Agents: those they filed. Office staff: those
    now at their office. HQ OSCO: those escalated to HQ. Admins: all."""
    base = ServiceRequest.objects.select_related("current_office", "customer")
    if not user.is_authenticated:
        return base.none()
    if user.role == Role.ADMIN:
        return base
    if user.role in (Role.CUSTOMER, Role.REPRESENTATIVE):
        return base.filter(Q(customer=user) | Q(representative=user))
    if user.role in CONTACT_CENTER_ROLES:
        return base.filter(created_by=user)
    if user.role == Role.OFFICE_STAFF:
        return base.filter(current_office_id=user.office_id)
    if user.role == Role.HQ_OSCO:
        return base.filter(hq_inquiry_at__isnull=False)
    return base.none()


def service_request_get_for_user(user: User, reference_number: str) -> ServiceRequest:
    try:
        return service_request_list_for_user(user).get(reference_number=(reference_number or "").strip().upper())
    except ServiceRequest.DoesNotExist:
        raise NotFound(str(REQUEST_NOT_FOUND)) from None


def staff_queue(user: User, *, open_only: bool = True) -> QuerySet[ServiceRequest]:
    """An office's requests (open ones unless told otherwise), oldest first within a type (served by
    the sr_queue_open_idx index). The web page and the API both list through this."""
    queryset = service_request_list_for_user(user)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.order_by("current_office_id", "request_type", "created_at", "id")


def timeline_for_user(user: User, request: ServiceRequest) -> list[ServiceRequestEvent]:
    """The request's events. Customers never see internal notes, and see that a request moved and
    where, but not why: a transfer's reason is for staff."""
    events = request.events.select_related("actor", "from_office", "to_office", "agency")
    if user.role not in (Role.CUSTOMER, Role.REPRESENTATIVE):
        return list(events)
    visible = list(events.filter(visible_to_customer=True))
    for event in visible:
        if event.kind == EventKind.TRANSFER:
            event.body = ""
    return visible




def escalation_policy() -> windows.WindowPolicy:
    row = EscalationPolicy.objects.first()
    if row is None:
        return windows.WindowPolicy()
    return windows.WindowPolicy(row.window1_days, row.window1_kind, row.window2_days, row.window2_kind)


def facts_for(request: ServiceRequest) -> windows.Facts:
    return windows.Facts(
        created_at=request.created_at, first_response_at=request.first_response_at,
        service_center_inquiry_at=request.service_center_inquiry_at, hq_inquiry_at=request.hq_inquiry_at,
        is_open=request.is_open,
    )


@dataclass(frozen=True)
class EscalationView:
    """What the customer page, the API and staff queues show about the windows."""

    stage: str
    stage_label: str
    window1_opens_at: datetime
    window2_opens_at: datetime | None
    can_write_to_service_center: bool
    can_contact_hq: bool
    service_center_refusal: str
    hq_refusal: str


def escalation_view(request: ServiceRequest, *, now: datetime, policy: windows.WindowPolicy | None = None) -> EscalationView:
    policy = policy or escalation_policy()
    facts = facts_for(request)
    office = request.current_office
    sc = windows.check_service_center_inquiry(
        facts, policy, now, at_service_center=office.office_type == OfficeType.SERVICE_CENTER, office_name=office.name
    )
    hq = windows.check_hq_inquiry(facts, policy, now)
    stage = windows.stage(facts, policy, now)
    return EscalationView(
        stage=stage, stage_label=str(windows.Stage(stage).label),
        window1_opens_at=windows.window1_opens_at(facts, policy), window2_opens_at=windows.window2_opens_at(facts, policy),
        can_write_to_service_center=sc is None, can_contact_hq=hq is None,
        service_center_refusal=sc.message if sc else "", hq_refusal=hq.message if hq else "",
    )
