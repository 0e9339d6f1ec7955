"""Writes for inquiries: record and triage, override, identity checks, replies, service requests."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Conflict, Forbidden
from core.models import Role, User
from core.notifications import notification_queue
from core.services import audit_record
from service_requests import rules as sr_rules
from service_requests import selectors as sr_selectors
from service_requests import services as sr_services
from service_requests.models import ServiceRequest

from . import rules, selectors
from .models import ExpediteCriterion, FaxPermission, Inquiry, InquiryChannel, Triage

STAFF_ONLY = _("Only Contact Center agents and office staff record inquiries.")
NEED_A_CONTACT = _("Say who is asking: a customer account, or a name with an e-mail or phone number.")
NEED_A_NAME = _("Give at least the person's name. Only misconduct reports and outreach events may be anonymous.")
NOT_MET = "none"  # the expedite_criterion value for "meets none of the criteria"
NOT_MET_SCRIPT = _(
    "Your request does not meet any of the criteria USCIS uses to expedite a case: {criteria}. Your case stays in "
    "normal processing. If your situation changes, contact us again with evidence that it meets one of them."
)
NOT_MET_NEEDS_WHY = _("Note what the customer described, so the record shows why no criterion applies.")
CHOOSE_AGENCY = _("Choose which agency's matter this is.")
CHOOSE_CRITERION = _("Choose the expedite criterion the customer meets, from the current list.")
DESCRIBE_EVIDENCE = _("Note the evidence the customer offers for the expedite.")
OVERRIDE_NEEDS_REASON = _("Say why you triage this differently from the suggestion.")
IDENTITY_FIRST = _(
    "This is case-specific. Record an identity check before sending case details by e-mail, or tell the customer "
    "to sign in to their account."
)
NO_EMAIL = _("There is no e-mail address for this customer.")
ALREADY_FILED = _("A service request was already filed from this inquiry: {reference}.")


@transaction.atomic
def inquiry_record(
    *, actor: User, channel: str, topic: str, text: str = "", customer: User | None = None, contact_name: str = "",
    contact_email: str = "", contact_phone: str = "", receipt_number: str = "", is_case_specific: bool = False,
    dissatisfied: bool = False, misconduct_alleged: bool = False, redirect_topic: str = "",
    triage_override: str = "", override_reason: str = "", expedite_criterion: str = "", expedite_evidence: str = "",
    resolved_at_first_contact: bool = False, outcome: str = "", now: datetime | None = None,
) -> Inquiry:
    """Record an inquiry, triage it by the rules (or the staff member's override, with its reason),
    and link it to an earlier one by the same customer on the same topic within 30 days."""
    if not actor.is_staff_member:
        raise Forbidden(str(STAFF_ONLY))
    now = now or timezone.now()
    receipt = sr_services.receipt_normalize(receipt_number)
    missing = rules.contact_missing(
        channel=channel, is_case_specific=is_case_specific, misconduct_alleged=misconduct_alleged,
        has_account=customer is not None, name=contact_name, email=contact_email, phone=contact_phone)
    if missing is not None:
        message = NEED_A_NAME if missing == rules.NAME_ONLY_ALLOWED else NEED_A_CONTACT
        raise ApplicationError.for_field("contact_name", str(message))
    contact = rules.Contact(channel, topic, is_case_specific, dissatisfied, misconduct_alleged, text, redirect_topic)
    suggestion = rules.triage(contact, selectors.redirect_rules())
    final, kind, topic_code = suggestion.triage, suggestion.complaint_kind, suggestion.redirect_topic
    if triage_override and triage_override != suggestion.triage:
        if not override_reason.strip():
            raise ApplicationError.for_field("override_reason", str(OVERRIDE_NEEDS_REASON))
        final = triage_override
        if final == Triage.COMPLAINT and not kind:
            kind = rules.complaint_kind(misconduct_alleged=misconduct_alleged, is_case_specific=is_case_specific)
    redirect = None
    if final == Triage.REDIRECT:
        redirect = selectors.redirect_topic_get(topic_code or redirect_topic)
        if redirect is None:
            raise ApplicationError.for_field("redirect_topic", str(CHOOSE_AGENCY))
    criterion, met = None, None
    if final == Triage.EXPEDITE and expedite_criterion == NOT_MET:
        # Recorded as not met: no service request; the caller is told why, in the words below.
        if not (expedite_evidence.strip() or text.strip()):
            raise ApplicationError.for_field("expedite_evidence", str(NOT_MET_NEEDS_WHY))
        met, outcome = False, "\n\n".join(part for part in (expedite_not_met_script(), outcome.strip()) if part)
    elif final == Triage.EXPEDITE:
        criterion = ExpediteCriterion.objects.filter(code=expedite_criterion, is_current=True).first()
        if criterion is None:
            raise ApplicationError.for_field("expedite_criterion", str(CHOOSE_CRITERION))
        if not expedite_evidence.strip():
            raise ApplicationError.for_field("expedite_evidence", str(DESCRIBE_EVIDENCE))
        met = True
    inquiry = Inquiry.objects.create(
        channel=channel, customer=customer, contact_name=contact_name.strip(), contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(), receipt_number=receipt, topic=topic, is_case_specific=is_case_specific,
        dissatisfied=dissatisfied, misconduct_alleged=misconduct_alleged, text=text.strip(), office=actor.office,
        taken_by=actor, suggested_triage=suggestion.triage, triage=final, complaint_kind=kind if final == Triage.COMPLAINT else "",
        redirect_agency=redirect.agency if redirect else None, redirect_topic=redirect,
        expedite_criterion=criterion, expedite_evidence=expedite_evidence.strip(), expedite_met=met,
        override_reason=override_reason.strip() if final != suggestion.triage else "",
        overridden_by=actor if final != suggestion.triage else None,
        resolved_at_first_contact=resolved_at_first_contact, outcome=outcome.strip(), created_at=now,
        repeat_of_id=_first_contact(customer, receipt, topic, now),
    )
    audit_record(actor=actor, action="inquiry.recorded", target=inquiry, triage=final, suggested=suggestion.triage,
                 **({"expedite_met": met} if met is not None else {}))
    if met:
        assert criterion is not None  # an expedite is refused above without one
        _file_request(actor, inquiry, "expedite", f"Expedite ({criterion.label}). Evidence: {inquiry.expedite_evidence}")
    return inquiry


def expedite_not_met_script() -> str:
    """What the agent reads out when an expedite request meets none of the current criteria (their labels)."""
    labels = [c.label for c in ExpediteCriterion.objects.filter(is_current=True).order_by("code")]
    return str(NOT_MET_SCRIPT).format(criteria="; ".join(labels))


def _first_contact(customer: User | None, receipt: str, topic: str, now: datetime) -> int | None:
    if customer is None and not receipt:
        return None
    earlier = Inquiry.objects.filter(topic=topic, created_at__gte=now - rules.REPEAT_WINDOW, created_at__lte=now)
    earlier = earlier.filter(customer=customer) if customer is not None else earlier.filter(receipt_number=receipt)
    return rules.first_contact_for(
        [rules.EarlierInquiry(e.pk, e.created_at, e.repeat_of_id) for e in earlier.only("id", "created_at", "repeat_of")],
        now=now,
    )


@transaction.atomic
def inquiry_record_guide_use(*, outcome: rules.GuideOutcome, topic: str, lives_in_us: bool,
                             now: datetime | None = None) -> Inquiry:
    """Each use of the public contact guide, recorded as an anonymous self-service inquiry."""
    redirect = None
    if outcome.kind == "agency":
        redirect = selectors.redirect_topic_get(outcome.code)
    triage = Triage.REDIRECT if redirect else Triage.STANDARD
    return Inquiry.objects.create(
        channel=InquiryChannel.SELF_SERVICE, topic=topic,
        suggested_triage=triage, triage=triage, redirect_topic=redirect,
        redirect_agency=redirect.agency if redirect else None, resolved_at_first_contact=True,
        outcome=f"{outcome.kind}:{outcome.code or ('contact-center' if lives_in_us else 'international-office')}",
        created_at=now or timezone.now(),
    )


@transaction.atomic
def fax_permission_give(*, actor: User, fax_number: str, documents_requested: str, receipt_number: str = "",
                        service_request_reference: str = "") -> FaxPermission:
    """Give a fax number for one case, for documents the office asked for (§D.3), on the record."""
    if actor.role not in (Role.OFFICE_STAFF, Role.ADMIN) or actor.office is None:
        raise Forbidden(str(_("Only office staff can give a fax number for a case.")))
    receipt = sr_services.receipt_normalize(receipt_number)
    request = None
    if service_request_reference:
        request = sr_selectors.service_request_get_for_user(actor, service_request_reference)
    if not receipt and request is None:
        raise ApplicationError.for_field("receipt_number", str(_("Name the case: a receipt number or a service request.")))
    if not fax_number.strip() or not documents_requested.strip():
        raise ApplicationError.for_field("fax_number", str(_("Give the fax number and the documents you asked for.")))
    permission = FaxPermission.objects.create(
        receipt_number=receipt or (request.receipt_number if request else ""), service_request=request,
        fax_number=fax_number.strip(), documents_requested=documents_requested.strip(), given_by=actor,
        office=actor.office,
    )
    audit_record(actor=actor, action="fax_permission.given", target=permission)
    return permission


def _locked(actor: User, inquiry_id: int | str) -> Inquiry:
    visible = selectors.inquiry_get_for_user(actor, inquiry_id)
    return Inquiry.objects.select_for_update().get(pk=visible.pk)


@transaction.atomic
def inquiry_override_triage(*, actor: User, inquiry_id: int | str, triage: str, reason: str,
                            redirect_topic: str = "") -> Inquiry:
    inquiry = _locked(actor, inquiry_id)
    if not reason.strip():
        raise ApplicationError.for_field("reason", str(OVERRIDE_NEEDS_REASON))
    changes: dict = {"triage": triage, "override_reason": reason.strip(), "overridden_by": actor}
    if triage == Triage.REDIRECT:
        topic = selectors.redirect_topic_get(redirect_topic)
        if topic is None:
            raise ApplicationError.for_field("redirect_topic", str(CHOOSE_AGENCY))
        changes.update(redirect_topic=topic, redirect_agency=topic.agency)
    if triage == Triage.COMPLAINT and not inquiry.complaint_kind:
        changes["complaint_kind"] = rules.complaint_kind(
            misconduct_alleged=inquiry.misconduct_alleged, is_case_specific=inquiry.is_case_specific)
    Inquiry.objects.filter(pk=inquiry.pk).update(**changes, updated_at=timezone.now())
    inquiry.refresh_from_db()
    audit_record(actor=actor, action="inquiry.triage_overridden", target=inquiry, triage=triage, reason=reason)
    return inquiry


@transaction.atomic
def inquiry_record_identity_check(*, actor: User, inquiry_id: int | str, method: str) -> Inquiry:
    inquiry = _locked(actor, inquiry_id)
    if not method.strip():
        raise ApplicationError.for_field("method", str(_("Say how the identity was checked.")))
    Inquiry.objects.filter(pk=inquiry.pk).update(identity_checked_at=timezone.now(), identity_checked_by=actor,
                                                 identity_check_method=method.strip())
    inquiry.refresh_from_db()
    audit_record(actor=actor, action="inquiry.identity_checked", target=inquiry, method=method)
    return inquiry


@transaction.atomic
def inquiry_reply_by_email(*, actor: User, inquiry_id: int | str, body: str) -> Inquiry:
    """Answer by e-mail. Case-specific details only after an identity check (§D.2, R12)."""
    inquiry = _locked(actor, inquiry_id)
    text = body.strip()
    if not text:
        raise ApplicationError.for_field("body", str(_("Write the reply first.")))
    if inquiry.is_case_specific and inquiry.identity_checked_at is None:
        raise Conflict(str(IDENTITY_FIRST), code="identity_check_required")
    to = inquiry.customer.email if inquiry.customer is not None else inquiry.contact_email
    if not to:
        raise Conflict(str(NO_EMAIL), code="no_email")
    notification_queue(kind="inquiry.reply", to_email=to, user=inquiry.customer, template="inquiries/email/reply",
                       context={"inquiry": inquiry, "body": text})
    Inquiry.objects.filter(pk=inquiry.pk).update(outcome=text[:2000], updated_at=timezone.now())
    inquiry.refresh_from_db()
    audit_record(actor=actor, action="inquiry.replied", target=inquiry)
    return inquiry


def _file_request(actor: User, inquiry: Inquiry, request_type: str, description: str) -> ServiceRequest:
    if inquiry.service_request is not None:
        raise Conflict(str(ALREADY_FILED).format(reference=inquiry.service_request.reference_number),
                       code="already_filed")
    channel = "phone" if inquiry.channel in (InquiryChannel.NCSC_PHONE, InquiryChannel.MILITARY_LINE,
                                             InquiryChannel.PREMIUM_LINE, InquiryChannel.HAGUE_LINE) else "in_person"
    if actor.role not in sr_rules.CALLER_FILING_ROLES:
        raise Forbidden(str(STAFF_ONLY))
    request = sr_services.service_request_file(
        actor=actor, request_type=request_type, description=description, receipt_number=inquiry.receipt_number,
        channel=channel, customer=inquiry.customer, contact_name=inquiry.contact_name,
        contact_email=inquiry.contact_email,
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(service_request=request, updated_at=timezone.now())
    inquiry.service_request = request
    return request


@transaction.atomic
def inquiry_file_service_request(*, actor: User, inquiry_id: int | str, request_type: str,
                                 description: str = "") -> ServiceRequest:
    """One action from the inquiry screen: file a service request with what was recorded."""
    inquiry = _locked(actor, inquiry_id)
    return _file_request(actor, inquiry, request_type, description.strip() or inquiry.text or inquiry.get_topic_display())
