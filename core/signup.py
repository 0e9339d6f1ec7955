"""Sign-up that answers the same for known and unknown addresses (django-allauth's "prevent
enumeration", GOV.UK One Login).

    customer_signup(...)          the web form and POST /api/v1/auth/register/ call it. A new address
                                  gets an inactive, pending account and a confirmation e-mail; an
                                  address with a pending account gets its link again; an address with
                                  any other account gets nothing created, and its owner an e-mail
                                  "someone tried to create an account with your address". The caller's
                                  answer is the same in all three cases (SIGNUP_SENT).
    signup_confirm(uidb64, token) the link's uid and token: activates the account once, 400 otherwise.

Why the latest sign-up wins: otherwise anyone could sign up first with someone else's address and a
password of their own, wait for the owner to sign up and confirm (the owner's click would open the
account with the squatter's password), and sign in as them: pre-account hijacking. Whoever confirms now
opens the account with the password they chose themselves, because only the link sent for the latest
sign-up works.

The "someone tried" notice goes to an address at most once an hour (the outbox's dedupe key); each
sign-up of a pending account gets its own link, and sign-ups are limited per e-mail address and per
client address (signin.signup_counted), so the form cannot be used to flood an owner.
The password is hashed on every path (customer_account_prepare), so the work factor, which dominates
the time of an answer, is spent alike.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError
from .models import CUSTOMER_ROLES, CustomerProfile, User
from .notifications import notification_queue
from .services import audit_record, customer_account_exists, customer_account_prepare, customer_account_save

SIGNUP_SENT = _("Check your e-mail. We sent a message to the address you gave with what to do next. "
                "If you are new here, it has a link to confirm your address; the link works for 3 days. "
                "Check your spam folder if it does not arrive.")
LINK_INVALID = _("This confirmation link is not valid: it was already used, it expired, or it is not complete. "
                 "If your account is confirmed, sign in. Otherwise sign up again with the same address and "
                 "we will send a new link.")
CONFIRMED = _("Your e-mail address is confirmed and your account is ready. Welcome, %(name)s.")


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, timestamped token, for confirming a sign-up: it works once (confirming flips
    `is_active` and `signup_pending`, which are hashed in) and for PORTAL_SIGNUP_CONFIRM_SECONDS."""

    key_salt = "core.signup.SignupTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        return f"{user.pk}{user.password}{user.is_active}{user.signup_pending}{timestamp}{user.email}"

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        if not (user and token):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks]):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.PORTAL_SIGNUP_CONFIRM_SECONDS

    def _now(self) -> datetime:
        return timezone.now().replace(tzinfo=None)  # naive UTC, as the base class counts from 2001-01-01


signup_token_generator = SignupTokenGenerator()


def _hour_bucket() -> str:
    return timezone.now().strftime("%Y%m%d%H")


def signup_confirm_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("core:signup_confirm", kwargs={"uidb64": uid, "token": signup_token_generator.make_token(user)})


def _confirmation_queue(user: User) -> None:
    """The confirmation e-mail (it is also the welcome): one per sign-up. The link is signed over the
    password hash, so a later sign-up (a new hash) makes the earlier links fail; the dedupe key names the
    hash (a digest of it, not the hash), so each sign-up gets its own e-mail and a retried task sends it once."""
    signup = hashlib.sha256(user.password.encode()).hexdigest()[:16]
    notification_queue(kind="account.signup_confirm", to_email=user.email, user=user,
                       template="core/email/signup_confirm",
                       context={"first_name": user.first_name, "path": signup_confirm_path(user)},
                       dedupe_key=f"account.signup_confirm:{user.pk}:{signup}")


def _owner_notice_queue(user: User) -> None:
    """To an existing account's owner: someone tried to sign up with this address. At most one per
    account per hour."""
    notification_queue(kind="account.signup_attempt", to_email=user.email, user=user,
                       template="core/email/signup_attempt",
                       context={"first_name": user.first_name, "login_path": reverse("core:login"),
                                "reset_path": reverse("core:password_reset")},
                       dedupe_key=f"account.signup_attempt:{user.pk}:{_hour_bucket()}")


def _is_pending(user: User) -> bool:
    return user.signup_pending and not user.is_active and user.role in CUSTOMER_ROLES


def _pending_replace(existing: User, user: User, profile: dict[str, Any]) -> User | None:
    """The latest sign-up takes over a pending account: its password, names, role, residence and the
    time of sign-up (the expiry purge counts from it). None when the account stopped being pending
    meanwhile (confirmed by its link: then this is an attempt on an open account)."""
    locked = User.objects.select_for_update().filter(pk=existing.pk).first()
    if locked is None or not _is_pending(locked):
        return None
    locked.password, locked.first_name, locked.last_name = user.password, user.first_name, user.last_name
    locked.role, locked.date_joined = user.role, timezone.now()
    locked.save(update_fields=["password", "first_name", "last_name", "role", "date_joined"])
    CustomerProfile.objects.update_or_create(user=locked, defaults=profile)
    return locked


@transaction.atomic
def customer_signup(
    *, email: str, password: str, first_name: str, last_name: str, zip_code: str = "", country: str = "",
    region: str = "", office: str = "", preferred_language: str = "en", representative: bool = False,
) -> None:
    """Sign up, or tell the address's owner someone tried; see the module's docstring. Input errors
    that do not depend on the address (residence, weak password) are 400s with field errors."""
    user, profile = customer_account_prepare(
        email=email, password=password, first_name=first_name, last_name=last_name, zip_code=zip_code,
        country=country, region=region, office=office, preferred_language=preferred_language,
        representative=representative,
    )
    existing = customer_account_exists(user.email)
    if existing is None:
        user.is_active, user.signup_pending = False, True
        if customer_account_save(user, profile):
            _confirmation_queue(user)
            return
        existing = customer_account_exists(user.email)  # a concurrent sign-up with this address won
        if existing is None:
            return
    replaced = _pending_replace(existing, user, profile) if _is_pending(existing) else None
    if replaced is not None:
        _confirmation_queue(replaced)
        audit_record(actor=None, action="account.signup_resent", target=replaced)
    else:
        _owner_notice_queue(existing)
        audit_record(actor=None, action="account.signup_attempted", target=existing)


def signup_link_check(*, uidb64: str, token: str) -> User:
    """The pending account a confirmation link is for; 400 when the link is wrong, used or expired."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64 or ""))))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not _is_pending(user) or not signup_token_generator.check_token(user, token or ""):
        raise ApplicationError.for_field("token", str(LINK_INVALID), code="invalid_link")
    return user


@transaction.atomic
def signup_confirm(*, uidb64: str, token: str) -> User:
    """Confirm a pending sign-up: the account becomes active, once (a compare-and-swap on
    `signup_pending`, so two clicks at once confirm it once and the second gets LINK_INVALID)."""
    user = signup_link_check(uidb64=uidb64, token=token)
    if not User.objects.filter(pk=user.pk, signup_pending=True).update(signup_pending=False, is_active=True):
        raise ApplicationError.for_field("token", str(LINK_INVALID), code="invalid_link")
    user.signup_pending, user.is_active = False, True
    audit_record(actor=user, action="account.confirmed", target=user)
    return user


PURGE_BATCH = 1_000


def signups_expired_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete pending sign-ups whose every link has expired (a day past PORTAL_SIGNUP_CONFIRM_SECONDS from
    the latest sign-up), at most `batch` a run (beat runs it hourly), each in its own transaction under a
    row lock that checks again that it is still pending and old: one confirmed meanwhile stays. An account
    something refers to (PROTECT: a booking staff made for it) is left. Returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PORTAL_SIGNUP_CONFIRM_SECONDS, days=1)
    expired = User.objects.filter(signup_pending=True, is_active=False, role__in=CUSTOMER_ROLES, date_joined__lt=cutoff)
    deleted = 0
    for pk in list(expired.order_by("pk").values_list("pk", flat=True)[:batch]):
        try:
            with transaction.atomic():
                user = expired.select_for_update(skip_locked=True).filter(pk=pk).first()
                if user is None:
                    continue
                audit_record(actor=None, action="account.signup_expired", target=user)  # the id only: it never opened
                user.delete()
        except ProtectedError:
            continue
        deleted += 1
    return deleted
