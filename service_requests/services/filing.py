"""Filing a request, as the named steps it takes: channel, parties, residence, holder, duplicate
check, insert. Each step is a small function; `service_request_file` runs them in order."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contact_center.rules import lookup_key
from core.errors import ApplicationError, Conflict
from core.models import CONTACT_CENTER_ROLES, Representation, Role, User
from core.representation import representation_for_case
from core.services import audit_record, residence_normalize
from offices.selectors import agency_closure_days

from .. import rules, selectors, windows
from ..models import PRIORITY_TYPES, CaseClass, Channel, Escalation, EventKind, ServiceRequest, Status
from .common import EMPTY_TEXT, customer_notify, event_add, receipt_normalize
from .routing import Route, route_for

DUPLICATE = _("You already have an unanswered request of this kind for this receipt number: {reference}.")
INVALID_A_NUMBER = _("An A-number is A followed by 8 or 9 digits, such as A012345678.")
REPRESENTED_BY = _("Filed by the representative {name} under representation no. {number} on record.")
ONLY_CUSTOMERS_FILE_ONLINE = _("Only customers and representatives file requests here; agents use the caller form.")


@dataclass(frozen=True)
class Parties:
    owner: User | None  # the customer whose request it is (None: a caller without an account)
    representative: User | None
    contact_name: str
    contact_email: str
    representation: Representation | None = None  # the representation on record a representative files under


@dataclass(frozen=True)
class Residence:
    zip_code: str
    country: str
    language: str
    region: str = ""
    office_choice: str = ""  # the customer's recorded field office where their ZIP names several


def _new_reference() -> str:
    return "SR" + "".join(secrets.choice(rules.REFERENCE_ALPHABET) for _ in range(rules.REFERENCE_LENGTH))


def filing_channel(actor: User, channel: str | None) -> str:
    """Customers and representatives always file online; staff give the channel, agents' default being phone."""
    if actor.role not in rules.CALLER_FILING_ROLES:
        return Channel.ONLINE
    if channel:
        return channel
    return Channel.PHONE if actor.role in CONTACT_CENTER_ROLES else Channel.ONLINE


def filing_check_request(*, request_type: str, case_class: str, receipt: str, description: str) -> None:
    """400 for an empty description or a kind of request that cannot be filed."""
    if not (description or "").strip():
        raise ApplicationError.for_field("description", str(EMPTY_TEXT))
    refusal = rules.refusal_for(request_type=request_type, case_class=case_class, receipt_number=receipt)
    if refusal:
        field = "request_type" if request_type == "change_of_address" and receipt else "receipt_number"
        raise ApplicationError(refusal, code="refused", fields={field: [refusal]})


def filing_parties(actor: User, customer: User | None, contact_name: str, contact_email: str,
                   receipt: str = "") -> Parties:
    """Who the request is for: the actor, the customer they represent (under a representation on
    record covering this receipt number), or a caller."""
    owner: User | None
    representative: User | None
    representation: Representation | None = None
    if actor.role == Role.CUSTOMER:
        owner, representative = actor, None
    elif actor.role == Role.REPRESENTATIVE:
        if customer is None:
            raise ApplicationError.for_field("customer", str(_("Give the e-mail of the customer you represent.")))
        owner, representative = customer, actor
        representation = representation_for_case(actor, customer, receipt)
    elif actor.role in rules.CALLER_FILING_ROLES:
        owner, representative = customer, None
    else:
        raise ApplicationError(str(ONLY_CUSTOMERS_FILE_ONLINE), code="forbidden_role")
    if owner is None and not ((contact_name or "").strip() and (contact_email or "").strip()):
        message = str(rules.NO_ONE_TO_ANSWER)
        raise ApplicationError(message, code="no_one_to_answer", fields={
            name: [message] for name, value in (("contact_name", contact_name), ("contact_email", contact_email))
            if not (value or "").strip()
        })
    return Parties(owner, representative, (contact_name or "").strip(), (contact_email or "").strip().lower(),
                   representation)


def filing_residence(parties: Parties, *, zip_code: str, country: str, language: str | None) -> Residence:
    """Where the customer lives (from their profile unless given) and the language they read."""
    owner = parties.owner
    region = office_choice = ""
    if owner is not None:
        profile = getattr(owner, "profile", None)
        if profile is not None and not (zip_code or country):
            region = profile.region
            office_choice = profile.office_choice.code if profile.office_choice else ""
        zip_code = zip_code or (profile.zip_code if profile else "")
        country = country or (profile.country.code if profile and not profile.lives_in_us else "")
        language = language or (profile.preferred_language if profile else "en")
    elif zip_code or country:
        country, zip_code = residence_normalize(zip_code=zip_code, country=country)
        country = "" if country == "US" else country
    return Residence(zip_code, country, language or "en", region, office_choice)


def filing_holder(*, receipt: str, residence: Residence, notice_office: str = "") -> Route:
    """The office that holds the case, where the request goes first, and how that was decided."""
    return route_for(receipt_number=receipt, zip_code=residence.zip_code, country=residence.country,
                     region=residence.region, office_choice=residence.office_choice, notice_office=notice_office)


def _open_duplicates(owner: User | None, receipt: str, request_type: str) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(
        customer=owner, receipt_number=receipt, request_type=request_type, status=Status.OPEN
    )


def filing_check_duplicate(parties: Parties, *, receipt: str, request_type: str) -> None:
    """409 naming the customer's unanswered request of the same type for the same receipt number
    (an answered one does not block a new request)."""
    if parties.owner is None or not receipt:
        return
    existing = _open_duplicates(parties.owner, receipt, request_type).first()
    if existing is not None:
        raise Conflict(str(DUPLICATE).format(reference=existing.reference_number), code="duplicate",
                       extra={"reference_number": existing.reference_number})


def filing_insert(request: ServiceRequest) -> ServiceRequest:
    """Save with a fresh reference number (retried on the rare collision); a concurrent duplicate
    that won the race is a 409."""
    for attempt in range(5):
        request.reference_number = _new_reference()
        try:
            with transaction.atomic():
                request.save()
            return request
        except IntegrityError as exc:
            if "reference_number" not in str(exc) and _open_duplicates(
                request.customer, request.receipt_number, request.request_type
            ).exists():  # a concurrent duplicate won the race
                raise Conflict(str(DUPLICATE).format(reference="…"), code="duplicate") from None
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def filing_escalation(request: ServiceRequest) -> Escalation:
    """Fix the request's terms and dates under the policy in force now; they never move afterwards."""
    policy = selectors.escalation_policy()
    closures = agency_closure_days()
    return Escalation.objects.create(
        request=request, window1_opens_at=windows.window1_opening(request.created_at, policy, closures),
        window1_days=policy.window1_days, window1_kind=policy.window1_kind, window2_days=policy.window2_days,
        window2_kind=policy.window2_kind, hq_for_all_holders=policy.hq_for_all_holders,
        answer_due_at=windows.answer_due(request.created_at, selectors.answer_target_days(request.request_type),
                                         closures),
    )


@transaction.atomic
def a_number_normalize(value: str) -> str:
    """'a12345678' → 'A012345678' ('' stays ''), or 400 on the a_number field."""
    if not (value or "").strip():
        return ""
    try:
        kind, normalized = lookup_key(value if value.strip().upper().startswith("A") else "A" + value.strip())
    except ValueError:
        kind, normalized = "", ""
    if kind != "a_number":
        raise ApplicationError.for_field("a_number", str(INVALID_A_NUMBER))
    return normalized


def service_request_file(
    *, actor: User, request_type: str, description: str, receipt_number: str = "", case_class: str = CaseClass.STANDARD,
    channel: str | None = None, customer: User | None = None, contact_name: str = "", contact_email: str = "",
    zip_code: str = "", country: str = "", language: str | None = None, notice_office: str = "",
    now: datetime | None = None, a_number: str = "",
) -> ServiceRequest:
    """File a request. Customers file for themselves online; representatives for a named customer;
    Contact Center agents for a caller (an existing customer, or a name and e-mail). `notice_office`
    is the office code on the customer's latest notice, where they know it."""
    now = now or timezone.now()
    channel = filing_channel(actor, channel)
    receipt = receipt_normalize(receipt_number)
    alien_number = a_number_normalize(a_number)
    filing_check_request(request_type=request_type, case_class=case_class, receipt=receipt, description=description)
    parties = filing_parties(actor, customer, contact_name, contact_email, receipt)
    residence = filing_residence(parties, zip_code=zip_code, country=country, language=language)
    route = filing_holder(receipt=receipt, residence=residence, notice_office=notice_office)
    office = route.office
    filing_check_duplicate(parties, receipt=receipt, request_type=request_type)
    request = filing_insert(ServiceRequest(
        customer=parties.owner, representative=parties.representative, representation=parties.representation,
        created_by=actor,
        contact_name=parties.contact_name, contact_email=parties.contact_email, language=residence.language,
        receipt_number=receipt, a_number=alien_number, request_type=request_type, case_class=case_class, channel=channel,
        description=description.strip(), priority=request_type in PRIORITY_TYPES, current_office=office,
        holding_basis=route.basis, created_at=now,
    ))
    filing_escalation(request)
    filed = str(_("Filed by {channel}.")).format(channel=request.get_channel_display())
    if parties.representation is not None:
        filed += " " + str(REPRESENTED_BY).format(name=actor.get_full_name() or actor.email,
                                                  number=parties.representation.pk)
    event_add(request, EventKind.CREATED, actor=actor, at=now, to_office=office,
              body=f"{filed} {route.note}".strip())
    audit_record(actor=actor, action="service_request.filed", target=request, office=office.code, basis=route.basis,
                 **({"representation": parties.representation.pk} if parties.representation else {}))
    customer_notify(request, "filed", "0")
    return request
