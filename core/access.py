"""Who may see or do what: every rule of access is a named predicate here, used by selectors and
services (and by the middleware and API permission that guard sign-in), so pages, API and admin
give the same answer and the same status for the same refusal.

Refusals for an object that is not the caller's are 404 on every door (`core.errors.NotFound`);
a role that may never use a staff surface gets 403 on the API and the 403 page on the web.
"""

from typing import Any

from .models import CONTACT_CENTER_ROLES, CUSTOMER_ROLES, STAFF_ROLES, Role


def is_customer(user: Any) -> bool:
    """A customer or a representative (an account outside USCIS)."""
    return bool(user.is_authenticated and user.role in CUSTOMER_ROLES)


def is_staff_member(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in STAFF_ROLES)


def requires_second_factor(user: Any) -> bool:
    """Staff and admins sign in with a second factor (and anyone the Django admin lets in)."""
    return bool(user.is_authenticated and (user.role in STAFF_ROLES or user.is_staff or user.is_superuser))


def second_factor_done(user: Any, auth: Any = None) -> bool:
    """Whether this request's sign-in satisfies the second-factor rule: it was verified in this
    session (django-otp), or it carries an API token, which staff obtain only with a code."""
    if not requires_second_factor(user):
        return True
    from knox.models import AuthToken

    if isinstance(auth, AuthToken):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def acts_for_office(user: Any, office_id: int | None) -> bool:
    """Office work (running the day's appointments, a request's staff actions) belongs to that
    office's staff, and to admins."""
    return bool(user.is_authenticated and (
        user.role == Role.ADMIN or (user.role == Role.OFFICE_STAFF and office_id is not None and user.office_id == office_id)))


def is_contact_center(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in CONTACT_CENTER_ROLES)


def may_see_internal_notes(user: Any) -> bool:
    """Internal notes and transfer reasons: staff, except Contact Center Tier 1 (status, dates and the
    customer's own timeline only)."""
    return is_staff_member(user) and user.role != Role.NCSC_TIER1


PROTECTED_ATTR = "_portal_protected"  # the answer, remembered on the user object of one request


def _protected_permission(user_id: Any) -> Any:
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    return Permission.objects.filter(
        Q(user=user_id) | Q(group__user=user_id), codename="view_protected", content_type__app_label="service_requests")


def protected_permission_exists(user_id: Any) -> Any:
    """holds_protected_permission's query as an EXISTS on a user id (a value, or an OuterRef to a user id
    column), so the query that loads the request's user brings the answer along (core.auth_backends,
    core.api.authentication) instead of one more statement a request."""
    from django.db.models import Exists

    return Exists(_protected_permission(user_id))


def holds_protected_permission(user: Any) -> bool:
    """VAWA, T and U requests (8 U.S.C. § 1367) are for staff granted service_requests.view_protected
    (directly or through a group; admins hold every permission). Read with the user when this request
    loaded it (PROTECTED_ATTR), else one query, remembered on the user."""
    if not is_staff_member(user):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, PROTECTED_ATTR):
        setattr(user, PROTECTED_ATTR, _protected_permission(user.pk).exists())
    return bool(getattr(user, PROTECTED_ATTR))


def may_see_protected(user: Any, office_id: int | None) -> bool:
    """A protected request: staff holding the permission, at the request's office (the Contact
    Center, HQ and admins wherever it is)."""
    if not holds_protected_permission(user):
        return False
    return user.role in (Role.ADMIN, *CONTACT_CENTER_ROLES, Role.HQ_OSCO) or user.office_id == office_id


def may_report_on_reads(user: Any) -> bool:
    """The accounting of disclosures (who read which case) is for admins."""
    return bool(user.is_authenticated and user.role == Role.ADMIN)


def may_record_g28(user: Any) -> bool:
    """A Form G-28 on file is recorded by the office staff who hold cases, HQ and admins."""
    return bool(user.is_authenticated and user.role in (Role.OFFICE_STAFF, Role.HQ_OSCO, Role.ADMIN))


def is_representative(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.REPRESENTATIVE)


def may_act_for(user: Any, representation: Any, receipt_number: str = "") -> bool:
    """A representative acts for a customer only under an active representation on record that
    covers the case (all the customer's cases, or the named receipt number)."""
    return bool(is_representative(user) and representation is not None and representation.representative_id == user.pk
                and representation.covers(receipt_number))
