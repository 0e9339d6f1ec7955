"""The verified lookup: an agent finds a caller's request by reference, receipt or A-number, only
under a current, passed identity check of their own for this call. Each case found is an audited read."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.errors import ApplicationError, Conflict, Forbidden, NotFound
from core.models import User
from core.services import case_read_record
from service_requests.models import CONFIDENTIAL_CLASSES, ServiceRequest, ServiceRequestEvent
from service_requests.selectors import timeline_for_user

from . import rules
from .models import IdentityCheck
from .services import CONTACT_CENTER_ONLY

NO_SUCH_CHECK = _("No identity check of yours has that number.")
CHECK_FIRST = _("Record a passed identity check for this call first (it lasts 30 minutes).")


def identity_check_get(actor: User, check_id: int | str) -> IdentityCheck:
    if not access.is_contact_center(actor):
        raise Forbidden(str(CONTACT_CENTER_ONLY))
    try:
        return IdentityCheck.objects.get(pk=int(check_id), agent=actor)
    except (IdentityCheck.DoesNotExist, ValueError, TypeError):
        raise NotFound(str(NO_SUCH_CHECK)) from None


def check_current(check: IdentityCheck, now: datetime | None = None) -> bool:
    return rules.check_is_current(result=check.result, created_at=check.created_at, now=now or timezone.now())


def _matching(actor: User, kind: str, key: str) -> QuerySet[ServiceRequest]:
    field = {"reference": "reference_number", "receipt": "receipt_number", "a_number": "a_number"}[kind]
    found = ServiceRequest.objects.select_related("current_office", "customer").filter(**{field: key})
    return found.order_by("-created_at", "-id")


def verified_lookup(*, actor: User, check_id: int | str, key: str, screen: str,
                    now: datetime | None = None) -> list[ServiceRequest]:
    """The requests the key names, for the agent's current passed check; protected (VAWA, T, U) ones
    only with that permission. 409 without a current passed check; each request found is recorded."""
    check = identity_check_get(actor, check_id)
    if not check_current(check, now):
        raise Conflict(str(CHECK_FIRST), code="identity_check_required")
    try:
        kind, normalized = rules.lookup_key(key)
    except ValueError as exc:
        raise ApplicationError.for_field("key", str(exc)) from None
    found = [r for r in _matching(actor, kind, normalized)[:20]
             if r.case_class not in CONFIDENTIAL_CLASSES or access.may_see_protected(actor, r.current_office_id)]
    for request in found:
        case_read_record(actor=actor, request=request, screen=screen, identity_check=check.pk, key_kind=kind)
    return found


def lookup_timeline(actor: User, request: ServiceRequest) -> list[ServiceRequestEvent]:
    """Tier 1: the customer's own timeline; Tier 2: internal notes too (timeline_for_user decides)."""
    return timeline_for_user(actor, request)
