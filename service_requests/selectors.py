"""Reads and visibility for service requests. Every view goes through these."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core import access
from core.db import CompiledQuery
from core.errors import NotFound
from core.models import CONTACT_CENTER_ROLES, Role, User
from core.representation import represented_filter
from offices.models import ContactChannel, OfficeType

from . import windows
from .models import (
    CONFIDENTIAL_CLASSES,
    DEFAULT_ANSWER_TARGET_DAYS,
    OPEN_STATUSES,
    AnswerTarget,
    Escalation,
    EscalationPolicy,
    EventKind,
    ServiceRequest,
    ServiceRequestEvent,
)

REQUEST_NOT_FOUND = _("No service request with that reference number is yours to see.")


def service_request_list_for_user(user: User) -> QuerySet[ServiceRequest]:
    """Customers: their own. Representatives: those of customers they represent now, in the cases
    the representation covers. Agents: those they filed. Office staff: those
    now at their office. HQ OSCO: those escalated to HQ. Admins: all. Staff see VAWA, T and U
    requests only with the view_protected permission (core.access.may_see_protected)."""
    base = ServiceRequest.objects.select_related("current_office", "customer")
    if not user.is_authenticated:
        return base.none()
    if user.role == Role.CUSTOMER:
        return base.filter(customer=user)
    if user.role == Role.REPRESENTATIVE:  # only under a representation on record, in the cases it covers
        return base.filter(represented_filter(user))
    if not access.holds_protected_permission(user):  # the office rule follows from each role's scope below
        base = base.exclude(case_class__in=CONFIDENTIAL_CLASSES)
    if user.role == Role.ADMIN:
        return base
    if user.role in CONTACT_CENTER_ROLES:
        return base.filter(created_by=user)
    if user.role == Role.OFFICE_STAFF:
        return base.filter(current_office_id=user.office_id)
    if user.role == Role.HQ_OSCO:
        return base.filter(hq_inquiry_at__isnull=False)
    return base.none()


def service_request_get_for_user(user: User, reference_number: str) -> ServiceRequest:
    """One request in the user's scope, with its escalation row (every detail shows its stage and ladder)."""
    try:
        return service_request_list_for_user(user).select_related("escalation").get(
            reference_number=(reference_number or "").strip().upper())
    except ServiceRequest.DoesNotExist:
        raise NotFound(str(REQUEST_NOT_FOUND)) from None


def staff_queue(user: User, *, open_only: bool = True) -> QuerySet[ServiceRequest]:
    """An office's requests (open ones unless told otherwise), oldest first within a type (served by
    the sr_queue_open_idx index). The web page and the API both list through this."""
    queryset = service_request_list_for_user(user)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.select_related("escalation").order_by("current_office_id", "request_type", "created_at", "id")


def _events(request_id: int, *, visible_only: bool) -> QuerySet[ServiceRequestEvent]:
    events = ServiceRequestEvent.objects.filter(request_id=request_id).select_related(
        "actor", "from_office", "to_office", "agency")
    return events.filter(visible_to_customer=True) if visible_only else events


# Every request page reads its timeline: the two statements are compiled once (core.db.CompiledQuery; compiling the
# four joins and the ordering took more CPU than running them). The placeholder is no request's id.
_TIMELINE = {visible_only: CompiledQuery(partial(_events, visible_only=visible_only), placeholder=-(2**62) - 11)
             for visible_only in (False, True)}


def timeline_for_user(user: User, request: ServiceRequest) -> list[ServiceRequestEvent]:
    """The request's events, oldest first. Customers (and Contact Center Tier 1) never see internal notes, and see
    that a request moved and where, but not why: a transfer's reason is for staff."""
    staff_view = access.may_see_internal_notes(user)
    events = _TIMELINE[not staff_view](request.pk)
    for event in events:
        event.request = request  # as request.events would give them
        if not staff_view and event.kind == EventKind.TRANSFER:
            event.body = ""
    return events




def escalation_policy() -> windows.WindowPolicy:
    """The policy in force now: it decides the terms of requests filed from now on."""
    row = EscalationPolicy.objects.first()
    if row is None:
        return windows.WindowPolicy()
    return windows.WindowPolicy(row.window1_days, row.window1_kind, row.window2_days, row.window2_kind,
                                row.hq_for_all_holders)


def terms_for(escalation: Escalation) -> windows.WindowPolicy:
    """The terms a request was filed under, as stored with it."""
    return windows.WindowPolicy(escalation.window1_days, escalation.window1_kind, escalation.window2_days,
                                escalation.window2_kind, escalation.hq_for_all_holders)


def answer_target_days(request_type: str) -> int:
    row = AnswerTarget.objects.filter(request_type=request_type).first()
    return row.business_days if row else DEFAULT_ANSWER_TARGET_DAYS


def facts_for(request: ServiceRequest) -> windows.Facts:
    """The stored facts: when things happened, and the openings computed when they did."""
    escalation = request.escalation
    return windows.Facts(
        created_at=request.created_at, window1_opens_at=escalation.window1_opens_at,
        first_response_at=request.first_response_at, service_center_inquiry_at=request.service_center_inquiry_at,
        window2_opens_at=escalation.window2_opens_at, hq_inquiry_at=request.hq_inquiry_at, is_open=request.is_open,
    )


def holds_at_service_center(request: ServiceRequest) -> bool:
    return request.current_office.office_type == OfficeType.SERVICE_CENTER


@dataclass(frozen=True)
class LadderStep:
    """One rung as the page and the API show it: what, when, how, and whether it can be taken here."""

    key: str
    label: str
    state: str
    opens_at: datetime | None
    done_at: datetime | None
    until: datetime | None
    how: str  # the published channel to use, in words
    in_portal: bool  # sent from the request page (or the API)


@dataclass(frozen=True)
class EscalationView:
    """What the customer page, the API and staff queues show about the windows."""

    stage: str
    stage_label: str
    window1_opens_at: datetime
    window2_opens_at: datetime | None
    window1_days: int
    window1_kind: str
    window2_days: int
    window2_kind: str
    window1_terms: str  # "15 calendar days"
    window2_terms: str
    first_step: str
    can_write_to_service_center: bool
    can_contact_hq: bool
    service_center_refusal: str
    hq_refusal: str
    steps: list[LadderStep]
    answer_due_at: datetime | None
    answer_overdue: bool


def _contact_center_line() -> str:
    lines = ContactChannel.objects.filter(code__in=["ncsc", "ncsc-tdd"], is_active=True).order_by("display_order")
    numbers = [c.display_value or c.value for c in lines]
    if not numbers:
        return str(_("the USCIS Contact Center"))
    text = str(_("the USCIS Contact Center at {number}")).format(number=numbers[0])
    if len(numbers) > 1:
        text += " " + str(_("(TDD {number})")).format(number=numbers[1])
    return text


def _how(key: str, request: ServiceRequest) -> str:
    reference = request.reference_number
    if key == windows.StepKey.SERVICE_CENTER:
        return str(_("Send it from this page to the {office}; your reference number {reference} goes with it.")).format(
            office=request.current_office.name, reference=reference)
    if key == windows.StepKey.CONTACT_CENTER:
        return str(_(
            "The {office} publishes no inquiry phone or e-mail. Send your follow-up from this page (we pass it to the "
            "{office} with your reference number), or call {line} and give your reference number {reference}."
        )).format(office=request.current_office.name, line=_contact_center_line(), reference=reference)
    if key == windows.StepKey.HQ:
        return str(_("Send it from this page to HQ Office of Service Center Operations, with your reference number."))
    return str(_(
        "Ask the CIS Ombudsman for case assistance with DHS Form 7001 (www.dhs.gov/topics/cis-ombudsman), giving your "
        "service request number {reference}. You must have contacted USCIS within the last 90 days; representatives "
        "attach their Form G-28."
    )).format(reference=reference)


# Where the case is not at a service center, the first rung is the Contact Center.
_OTHER_HOLDER_LABELS: dict[str, Any] = {
    windows.Stage.WINDOW1_OPEN: _("You may follow up through the USCIS Contact Center"),
    windows.Stage.SC_INQUIRY_SENT: _("Follow-up inquiry sent"),
}


def escalation_view(request: ServiceRequest, *, now: datetime) -> EscalationView:
    """Built from the stored dates only: the policy in force today plays no part."""
    facts = facts_for(request)
    escalation = request.escalation
    terms = terms_for(escalation)
    at_sc = holds_at_service_center(request)
    sc = windows.check_service_center_inquiry(facts, now)
    hq = windows.check_hq_inquiry(facts, now, window2_days=terms.window2_days)
    stage = windows.stage(facts, now)
    steps = [
        LadderStep(step.key, str(windows.StepKey(step.key).label), step.state, step.opens_at, step.done_at,
                   step.until, _how(step.key, request), step.key != windows.StepKey.OMBUDSMAN)
        for step in windows.ladder(facts, now, at_service_center=at_sc, hq_for_all_holders=terms.hq_for_all_holders)
    ]
    due = escalation.answer_due_at
    return EscalationView(
        stage=stage, stage_label=str(_OTHER_HOLDER_LABELS.get(stage, "") if not at_sc else "")
        or str(windows.Stage(stage).label),
        window1_opens_at=facts.window1_opens_at, window2_opens_at=facts.window2_opens_at,
        window1_days=terms.window1_days, window1_kind=terms.window1_kind,
        window2_days=terms.window2_days, window2_kind=terms.window2_kind,
        window1_terms=windows.days_phrase(terms.window1_days, terms.window1_kind),
        window2_terms=windows.days_phrase(terms.window2_days, terms.window2_kind),
        first_step=steps[0].key,
        can_write_to_service_center=sc is None, can_contact_hq=hq is None,
        service_center_refusal=sc.message if sc else "", hq_refusal=hq.message if hq else "",
        steps=steps, answer_due_at=due, answer_overdue=windows.answer_overdue(
            due=due, answered=request.first_response_at is not None or not request.is_open, now=now),
    )


@dataclass(frozen=True)
class NextDate:
    """The dates that matter next on an open request, as the customer's dashboard tells them."""

    step: str  # the next rung of the ladder (its label), or "" when none is left
    opens_at: datetime | None
    now_open: bool  # the customer may take it already
    answer_due_on: date | None  # §D.4: the last day for the office's answer (unanswered requests)
    answer_overdue: bool


def _next_date(request: ServiceRequest, now: datetime) -> NextDate:
    """From the request's stored escalation row (dates written when it was filed and escalated),
    through the same ladder the request page shows; nothing is recomputed from the policy."""
    facts = facts_for(request)
    escalation = request.escalation
    steps = windows.ladder(facts, now, at_service_center=holds_at_service_center(request),
                           hq_for_all_holders=escalation.hq_for_all_holders)
    step = next((s for s in steps if s.state in (windows.StepState.OPEN, windows.StepState.UPCOMING)), None)
    answered = request.first_response_at is not None
    due = None if answered else escalation.answer_due_at
    return NextDate(
        step=str(windows.StepKey(step.key).label) if step else "", opens_at=step.opens_at if step else None,
        now_open=step is not None and step.state == windows.StepState.OPEN,
        answer_due_on=escalation.answer_due_on if due else None,
        answer_overdue=windows.answer_overdue(due=due, answered=answered, now=now),
    )


def customer_open_requests(user: User, *, now: datetime, limit: int = 10) -> list[tuple[ServiceRequest, NextDate]]:
    """The customer's open requests, newest first, each with its next dates (one query)."""
    rows = (service_request_list_for_user(user).filter(status__in=OPEN_STATUSES).select_related("escalation")
            .order_by("-created_at")[:limit])
    return [(row, _next_date(row, now)) for row in rows]


def customer_recent_responses(user: User, *, limit: int = 5) -> list[ServiceRequestEvent]:
    """The latest answers staff sent on the customer's requests (what reached them, never notes)."""
    return list(
        ServiceRequestEvent.objects.filter(
            request__in=service_request_list_for_user(user), kind=EventKind.RESPONSE, visible_to_customer=True,
        ).select_related("request").order_by("-created_at", "-id")[:limit]
    )


# The staff queue as the page and the CSV show it: only these columns, no model instances, labels looked up
# once per page (the page is the office's busiest read; per-row work dominated its cost).
QUEUE_COLUMNS = ("reference_number", "request_type", "status", "channel", "priority", "receipt_number",
                 "created_at", "service_center_inquiry_at", "hq_inquiry_at", "escalation__answer_due_at",
                 "assigned_to_id", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username")


@dataclass(frozen=True)
class QueueRow:
    reference_number: str
    type_label: str
    status: str
    status_label: str
    channel_label: str
    priority: bool
    receipt_number: str
    created_at: datetime
    age: str
    inquiry: str  # how long the customer's inquiry has waited ("HQ: 3 days"), or ""
    answer_due_on: date | None
    overdue: bool
    due: bool
    holder_id: int | None
    holder: str


def _labels() -> dict[str, dict[str, str]]:
    from .models import Channel, RequestType, Status

    return {"type": {k: str(v) for k, v in RequestType.choices}, "status": {k: str(v) for k, v in Status.choices},
            "channel": {k: str(v) for k, v in Channel.choices}}


def queue_values(queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest, dict[str, Any]]:
    return queryset.select_related(None).values(*QUEUE_COLUMNS)


def queue_rows(values: Any, *, now: datetime) -> list[QueueRow]:
    """Rows of `queue_values(...)` (a page of them) for the page: one pass, translations looked up once."""
    from django.utils.translation import ngettext

    labels, ages, rows = _labels(), {}, []
    hq = str(_("HQ"))

    def age(at: datetime | None) -> str:
        if at is None:
            return ""
        days = max((now - at).days, 0)
        if days not in ages:
            # A non-breaking space, as Django's timesince writes it: "3 days" never wraps in a narrow column.
            ages[days] = (ngettext("%(n)d day", "%(n)d days", days) % {"n": days}).replace(" ", "\u00a0") \
                if days else str(_("today"))
        return ages[days]

    for v in values:
        due_at = v["escalation__answer_due_at"]
        is_open = v["status"] == "open"
        inquiry = f"{hq}: {age(v['hq_inquiry_at'])}" if v["hq_inquiry_at"] else age(v["service_center_inquiry_at"])
        holder = ""
        if v["assigned_to_id"]:
            holder = f"{v['assigned_to__first_name']} {v['assigned_to__last_name']}".strip() or v["assigned_to__username"]
        rows.append(QueueRow(
            v["reference_number"], labels["type"].get(v["request_type"], v["request_type"]), v["status"],
            labels["status"].get(v["status"], v["status"]), labels["channel"].get(v["channel"], v["channel"]),
            v["priority"], v["receipt_number"], v["created_at"], age(v["created_at"]), inquiry,
            windows.due_day(due_at) if due_at else None, bool(is_open and due_at and due_at <= now),
            bool(is_open and due_at and due_at > now), v["assigned_to_id"], holder,
        ))
    return rows


EXPORT_LIMIT = 10_000
EXPORT_HEADER = ("Reference number", "Type", "Status", "Channel", "Priority", "Receipt number", "Customer",
                 "Customer e-mail", "Filed", "Answer by", "Held by", "Office")


def queue_export_rows(queryset: QuerySet[ServiceRequest]) -> Any:
    """The filtered queue as CSV rows (at most EXPORT_LIMIT), streamed from one query."""
    labels = _labels()
    values = queryset.select_related(None).values_list(
        "reference_number", "request_type", "status", "channel", "priority", "receipt_number", "customer__first_name",
        "customer__last_name", "customer__email", "contact_name", "contact_email", "created_at",
        "escalation__answer_due_at", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
        "current_office__code")[:EXPORT_LIMIT]
    for (ref, kind, status, channel, priority, receipt, first, last, email, contact, contact_email, created, due,
         h_first, h_last, h_user, office) in values.iterator(chunk_size=2000):
        yield (ref, labels["type"].get(kind, kind), labels["status"].get(status, status),
               labels["channel"].get(channel, channel), "yes" if priority else "", receipt,
               f"{first} {last}".strip() if email else contact, email or contact_email,
               created.date().isoformat(), windows.due_day(due).isoformat() if due else "",
               (f"{h_first} {h_last}".strip() or h_user) if h_user else "", office)


def saved_filters_for(user: User) -> QuerySet[Any]:
    from .models import SavedFilter

    return SavedFilter.objects.filter(owner=user).order_by("name", "id")
