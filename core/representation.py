"""Representation on record (USCIS acts with a representative only under a Form G-28 on file): reads
and writes. A representative names a customer only through `represented_customer`, whose answer is
the same for an unknown address and for a customer they do not represent."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .errors import ApplicationError, Conflict, Forbidden, NotFound
from .models import (
    CUSTOMER_ROLES,
    Representation,
    RepresentationSource,
    RepresentationStatus,
    Role,
    User,
)
from .notifications import notification_queue
from .services import audit_record

NOT_REPRESENTED = _("No customer you represent has that e-mail address (a representation on record is needed).")
NOT_COVERED = _("Your representation of this customer does not cover receipt number {receipt}. Ask them to add it.")
NO_SUCH_REPRESENTATIVE = _("No representative's account has that e-mail address.")
NO_SUCH_REPRESENTATION = _("No representation with that number is yours.")
ALREADY_OPEN = _("A representation between this customer and this representative is already on record or waiting.")
SCOPE_NEEDED = _("Name the receipt numbers it covers, or choose all cases.")
NOT_PENDING = _("This representation is not waiting for confirmation.")
ONLY_CUSTOMER_CONFIRMS = _("Only the customer confirms a representation.")
REQUEST_SENT = _("If a customer account has that address, the customer will see your request in their account and can confirm it.")
G28_CUSTOMER_UNKNOWN = _("No customer account has that e-mail address.")


def _receipts(values: Iterable[str]) -> list[str]:
    from service_requests.rules import normalize_receipt

    out: list[str] = []
    for value in values:
        if not (value or "").strip():
            continue
        try:
            receipt = normalize_receipt(value)
        except ValueError as exc:
            raise ApplicationError.for_field("receipt_numbers", str(exc), code="invalid_receipt") from None
        if receipt not in out:
            out.append(receipt)
    return out


def _scope(all_cases: bool, receipt_numbers: Iterable[str]) -> list[str]:
    receipts = [] if all_cases else _receipts(receipt_numbers)
    if not all_cases and not receipts:
        raise ApplicationError.for_field("receipt_numbers", str(SCOPE_NEEDED), code="scope_needed")
    return receipts


# Reads -------------------------------------------------------------------------------------------


def representations_for_user(user: User) -> QuerySet[Representation]:
    """The representations a customer or representative is party to (staff: those they recorded)."""
    base = Representation.objects.select_related("customer", "representative")
    if not user.is_authenticated:
        return base.none()
    if user.role == Role.ADMIN:
        return base
    if user.role == Role.CUSTOMER:
        return base.filter(customer=user)
    if user.role == Role.REPRESENTATIVE:
        return base.filter(representative=user)
    return base.filter(recorded_by=user)


def representation_get_for_user(user: User, representation_id: int | str) -> Representation:
    try:
        return representations_for_user(user).get(pk=int(representation_id))
    except (Representation.DoesNotExist, ValueError, TypeError):
        raise NotFound(str(NO_SUCH_REPRESENTATION)) from None


def active_representations(representative: User) -> QuerySet[Representation]:
    return Representation.objects.filter(representative=representative, status=RepresentationStatus.ACTIVE)


def represented_filter(representative: User) -> Q:
    """The service requests a representative may see: those of customers they represent now, in
    the cases the representation covers (and those filed under it)."""
    condition = Q(pk__in=[])
    for row in active_representations(representative):
        if row.all_cases:
            condition |= Q(customer_id=row.customer_id)
        else:
            condition |= Q(customer_id=row.customer_id) & (Q(receipt_number__in=row.receipt_numbers)
                                                           | Q(representation_id=row.pk))
    return condition


def represented_customer(representative: User, email: str) -> tuple[User, Representation]:
    """The customer with this e-mail whom the representative represents now, and the representation.
    An unknown address and a customer without a representation get the same field error."""
    row = active_representations(representative).select_related("customer", "customer__profile").filter(
        customer__email__iexact=(email or "").strip()).first()
    if row is None:
        raise ApplicationError.for_field("customer", str(NOT_REPRESENTED), code="no_such_customer")
    return row.customer, row


def representation_for_case(representative: User, customer: User, receipt_number: str) -> Representation:
    """The active representation under which the representative acts in this case; 400 if none covers it."""
    rows = list(active_representations(representative).filter(customer=customer))
    if not rows:
        raise ApplicationError.for_field("customer", str(NOT_REPRESENTED), code="no_such_customer")
    for row in rows:
        if access.may_act_for(representative, row, receipt_number):
            return row
    message = str(NOT_COVERED).format(receipt=receipt_number or "—")
    raise ApplicationError(message, code="not_covered", fields={"receipt_number": [message]})


# Writes ------------------------------------------------------------------------------------------


def _create(**values: object) -> Representation:
    try:
        with transaction.atomic():
            return Representation.objects.create(**values)
    except IntegrityError:
        raise Conflict(str(ALREADY_OPEN), code="already_on_record") from None


def _tell(user: User, kind: str, row: Representation) -> None:
    profile = getattr(user, "profile", None)
    notification_queue(
        kind=f"representation.{kind}", to_email=user.email, user=user,
        language=profile.preferred_language if profile else "en",
        template=f"core/email/representation_{kind}", context={"representation": row},
        dedupe_key=f"representation.{kind}:{row.pk}:{user.pk}:{row.status}",
    )


@transaction.atomic
def representation_invite(*, customer: User, representative_email: str, all_cases: bool = False,
                          receipt_numbers: Iterable[str] = ()) -> Representation:
    """The customer names their representative: on record at once."""
    if customer.role != Role.CUSTOMER:
        raise Forbidden(str(ONLY_CUSTOMER_CONFIRMS))
    receipts = _scope(all_cases, receipt_numbers)
    representative = User.objects.filter(email__iexact=(representative_email or "").strip(),
                                         role=Role.REPRESENTATIVE, is_active=True).first()
    if representative is None:
        raise ApplicationError.for_field("representative", str(NO_SUCH_REPRESENTATIVE), code="no_such_representative")
    row = _create(customer=customer, representative=representative, status=RepresentationStatus.ACTIVE,
                  source=RepresentationSource.CUSTOMER, all_cases=all_cases, receipt_numbers=receipts,
                  recorded_by=customer, confirmed_at=timezone.now())
    audit_record(actor=customer, action="representation.recorded", target=row, representation=row.pk,
                 representative=representative.pk, source=row.source, all_cases=all_cases, receipts=receipts)
    _tell(representative, "recorded", row)
    return row


@transaction.atomic
def representation_request(*, representative: User, customer_email: str, all_cases: bool = False,
                           receipt_numbers: Iterable[str] = ()) -> Representation | None:
    """The representative asks a customer to confirm them. The answer is the same whether or not an
    account has the address (None when none has, or it is not a customer's)."""
    if representative.role != Role.REPRESENTATIVE:
        raise Forbidden(str(_("Only representatives ask customers to confirm them.")))
    receipts = _scope(all_cases, receipt_numbers)
    customer = User.objects.filter(email__iexact=(customer_email or "").strip(), role=Role.CUSTOMER,
                                   is_active=True).first()
    if customer is None:
        audit_record(actor=representative, action="representation.requested_unknown")
        return None
    if Representation.objects.filter(customer=customer, representative=representative).exclude(
            status=RepresentationStatus.WITHDRAWN).exists():
        return None  # already on record or waiting: the same answer, nothing new
    row = _create(customer=customer, representative=representative, status=RepresentationStatus.PENDING,
                  source=RepresentationSource.REPRESENTATIVE, all_cases=all_cases, receipt_numbers=receipts,
                  recorded_by=representative)
    audit_record(actor=representative, action="representation.requested", target=row, representation=row.pk,
                 customer=customer.pk, all_cases=all_cases, receipts=receipts)
    _tell(customer, "requested", row)
    return row


@transaction.atomic
def representation_record_g28(*, actor: User, receipt_number: str, customer_email: str,
                              representative_email: str) -> Representation:
    """Staff record a Form G-28 on file for a receipt number: on record for that case (added to an
    existing representation between the two, or a new one)."""
    if not access.may_record_g28(actor):
        raise Forbidden(str(_("Form G-28 is recorded by office staff, HQ and administrators.")))
    receipt = _scope(False, [receipt_number])[0]
    customer = User.objects.filter(email__iexact=(customer_email or "").strip(), role__in=list(CUSTOMER_ROLES)).first()
    if customer is None or customer.role != Role.CUSTOMER:
        raise ApplicationError.for_field("customer", str(G28_CUSTOMER_UNKNOWN), code="no_such_customer")
    representative = User.objects.filter(email__iexact=(representative_email or "").strip(),
                                         role=Role.REPRESENTATIVE).first()
    if representative is None:
        raise ApplicationError.for_field("representative", str(NO_SUCH_REPRESENTATIVE), code="no_such_representative")
    row = Representation.objects.select_for_update().filter(customer=customer, representative=representative).exclude(
        status=RepresentationStatus.WITHDRAWN).first()
    now = timezone.now()
    if row is None:
        row = _create(customer=customer, representative=representative, status=RepresentationStatus.ACTIVE,
                      source=RepresentationSource.G28, receipt_numbers=[receipt], recorded_by=actor, confirmed_at=now)
    elif row.status == RepresentationStatus.PENDING:  # the G-28 puts this case on record; nothing more
        row.status, row.confirmed_at, row.all_cases, row.receipt_numbers = RepresentationStatus.ACTIVE, now, False, [receipt]
        row.save(update_fields=["receipt_numbers", "all_cases", "status", "confirmed_at", "updated_at"])
    elif not row.all_cases and receipt not in row.receipt_numbers:
        row.receipt_numbers = [*row.receipt_numbers, receipt]
        row.save(update_fields=["receipt_numbers", "updated_at"])
    audit_record(actor=actor, action="representation.g28_recorded", target=row, representation=row.pk,
                 receipt_number=receipt, customer=customer.pk, representative=representative.pk)
    _tell(customer, "recorded", row)
    _tell(representative, "recorded", row)
    return row


@transaction.atomic
def representation_confirm(*, actor: User, representation_id: int | str) -> Representation:
    """The customer confirms a representative's request (or an earlier link)."""
    visible = representation_get_for_user(actor, representation_id)
    row = Representation.objects.select_for_update().get(pk=visible.pk)
    if row.customer_id != actor.pk:
        raise Forbidden(str(ONLY_CUSTOMER_CONFIRMS))
    if row.status != RepresentationStatus.PENDING:
        raise Conflict(str(NOT_PENDING), code="not_pending")
    row.status, row.confirmed_at = RepresentationStatus.ACTIVE, timezone.now()
    row.save(update_fields=["status", "confirmed_at", "updated_at"])
    audit_record(actor=actor, action="representation.confirmed", target=row, representation=row.pk)
    _tell(row.representative, "recorded", row)
    return row


@transaction.atomic
def representation_withdraw(*, actor: User, representation_id: int | str) -> Representation:
    """Either side ends a representation (or declines a pending one); staff who recorded a G-28 and
    admins may too. From then on the representative no longer acts for the customer."""
    visible = representation_get_for_user(actor, representation_id)
    row = Representation.objects.select_for_update().get(pk=visible.pk)
    if row.status == RepresentationStatus.WITHDRAWN:
        return row
    row.status, row.withdrawn_at, row.withdrawn_by = RepresentationStatus.WITHDRAWN, timezone.now(), actor
    row.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "updated_at"])
    audit_record(actor=actor, action="representation.withdrawn", target=row, representation=row.pk)
    other = row.representative if actor.pk == row.customer_id else row.customer
    _tell(other, "withdrawn", row)
    return row


def representative_acted(*, actor: User, representation: Representation, action: str, target: object,
                         **data: object) -> None:
    """Every representative action names the representation it was taken under."""
    audit_record(actor=actor, action=f"representative.{action}", target=target,  # type: ignore[arg-type]
                 representation=representation.pk, customer=representation.customer_id, **data)
