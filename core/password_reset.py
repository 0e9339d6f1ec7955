"""Password reset: a link by e-mail (through the outbox, as every e-mail goes), then a new password.

The answer to a request is the same whether or not an account has the address; requests are limited
per address and per client address (core.signin, on the shared cache), web and API alike. A new
password revokes the account's API tokens and clears its sign-in lock-out."""

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError
from .models import User
from .notifications import notification_queue
from .services import api_tokens_revoke_all, audit_record

LINK_SENT = _("If an account has that e-mail address, we sent it a link to choose a new password. "
              "The link works for 3 hours. Check your spam folder if it does not arrive.")
LINK_INVALID = _("This password reset link is not valid any more. Ask for a new one.")
PASSWORD_CHANGED = _("Your password is changed. Sign in with your new password.")


def _accounts(email: str) -> list[User]:
    email = (email or "").strip()
    if not email:
        return []
    return [user for user in User.objects.select_related("profile").filter(email__iexact=email, is_active=True)
            if user.has_usable_password()]


@transaction.atomic
def password_reset_send(*, email: str) -> None:
    """Owe each matching account a reset link; nothing (and no difference in the answer) for none."""
    for user in _accounts(email):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        path = reverse("core:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        notification_queue(kind="account.password_reset", to_email=user.email, user=user,
                           template="core/email/password_reset",
                           context={"first_name": user.first_name, "path": path})
        audit_record(actor=None, action="account.password_reset_requested", target=user)


def password_reset_user(uidb64: str, token: str) -> User:
    """The account a reset link is for; 400 when the link is wrong, used or expired."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64 or ""))), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token or ""):
        raise ApplicationError.for_field("token", str(LINK_INVALID), code="invalid_link")
    return user


def password_reset_done(*, user: User) -> None:
    """After a new password: API tokens are revoked, the sign-in lock-out is cleared, audited."""
    from axes.handlers.proxy import AxesProxyHandler

    api_tokens_revoke_all(user=user)
    AxesProxyHandler.reset_attempts(username=user.username)  # one counter per account, whatever the spelling
    audit_record(actor=user, action="account.password_reset", target=user)


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    user = password_reset_user(uidb64, token)
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password",
                               fields={"new_password": list(exc.messages)}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    password_reset_done(user=user)
    return user
