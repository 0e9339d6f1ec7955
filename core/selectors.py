from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from .errors import ApplicationError
from .models import CUSTOMER_ROLES, AuditEvent, Role, User

NO_SUCH_CUSTOMER = _("No customer account has that e-mail address.")


def user_with_profile(user_id: int) -> User:
    return User.objects.select_related("profile", "office").get(pk=user_id)


def customer_by_email(email: str, actor: User | None = None) -> User:
    """The customer (or representative) account with this e-mail; a field error on `customer` if none.
    A representative names only a customer they represent now (core.representation), and gets the
    same field error for an unknown address and an unrepresented customer."""
    if actor is not None and actor.is_authenticated and actor.role == Role.REPRESENTATIVE:
        from .representation import represented_customer

        return represented_customer(actor, email)[0]
    customer = User.objects.select_related("profile").filter(
        email__iexact=(email or "").strip(), role__in=list(CUSTOMER_ROLES)
    ).first()
    if customer is None:
        raise ApplicationError.for_field("customer", str(NO_SUCH_CUSTOMER), code="no_such_customer")
    return customer


def api_tokens_for_user(user: User) -> QuerySet[AuthToken]:
    """The user's unexpired API tokens, newest first."""
    return AuthToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())).order_by(
        "-created")


def case_reads(*, reference_number: str = "", username: str = "") -> QuerySet[AuditEvent]:
    """Every recorded staff read of a case, newest first; per case (reference number) and/or per user."""
    from .services import CASE_VIEWED

    rows = AuditEvent.objects.filter(action=CASE_VIEWED).select_related("actor")
    if reference_number:
        rows = rows.filter(data__reference_number=reference_number.strip().upper())
    if username:
        rows = rows.filter(actor__username__iexact=username.strip())
    return rows
