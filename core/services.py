"""Writes for accounts and the audit trail."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from offices import rules as place_rules
from offices.models import Office

from . import access
from .errors import ApplicationError, Forbidden, NotFound
from .models import STAFF_ROLES, AuditEvent, CustomerProfile, Language, Role, User
from .notifications import notification_queue

EMAIL_TAKEN = _("An account with this e-mail address already exists. Sign in instead.")
RESIDENCE_REQUIRED = _("Give your U.S. ZIP code, or your country of residence if you live outside the United States.")
RESIDENCE_BOTH = _("Give either a U.S. ZIP code or a country outside the United States, not both.")
UNKNOWN_ROLE = _("Role must be one of: {roles}.")
OFFICE_REQUIRED = _("Office staff must belong to an office: give --office CODE.")
UNKNOWN_OFFICE = _("No office has the code {code}.")
SECOND_FACTOR_NEEDED = _("Staff need the code from their authenticator app (or a recovery code) for an API token.")
TOKEN_NOT_FOUND = _("No token with that id is yours.")
WRONG_CODE = _("That code is not right. Enter the 6-digit code your authenticator app shows now, or a recovery code.")


def audit_record(*, actor: User | None, action: str, target: models.Model | None = None, **data: Any) -> AuditEvent:
    """Append one audit row. Call inside the transaction that made the change it describes."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


def residence_normalize(*, zip_code: str = "", country: str = "") -> tuple[str, str]:
    """(country, zip_code) for a customer's residence; raises ApplicationError with field errors."""
    zip_code, country = (zip_code or "").strip(), (country or "").strip()
    if zip_code and country and country.upper() != "US":
        raise ApplicationError(str(RESIDENCE_BOTH), fields={"zip_code": [str(RESIDENCE_BOTH)]})
    if zip_code:
        try:
            return "US", place_rules.normalize_zip(zip_code)
        except ValueError as exc:
            raise ApplicationError.for_field("zip_code", str(exc)) from None
    if not country:
        raise ApplicationError(str(RESIDENCE_REQUIRED), fields={"zip_code": [str(RESIDENCE_REQUIRED)]})
    try:
        code = place_rules.normalize_country(country)
    except ValueError as exc:
        raise ApplicationError.for_field("country", str(exc)) from None
    if code in place_rules.DOMESTIC_COUNTRIES:
        raise ApplicationError.for_field("zip_code", str(place_rules.DOMESTIC_COUNTRY_NEEDS_ZIP))
    return code, ""


def residence_office_choice(*, country: str, zip_code: str, region: str = "", office: str = "") -> tuple[str, Office | None]:
    """(region, office choice) to record with a residence: the region where the country is split
    between offices (China), and the customer's office where the directory names several for
    their ZIP. Either may stay empty (booking then asks for it); a region or office that is not
    one the directory offers is a 400 on that field. A choice where the data decides is not kept."""
    from offices import selectors as office_selectors
    from offices.jurisdiction import Status

    try:
        if zip_code:
            answer = office_selectors.place_answer(zip_code=zip_code, choice=office)
            return "", answer.office if answer.matched_by == "choice" else None
        answer = office_selectors.place_answer(country=country, region=region)
    except ValueError as exc:
        raise ApplicationError.for_field(getattr(exc, "field", "zip_code" if zip_code else "country"), str(exc)) from None
    except NotFound:  # a ZIP the ZIP database does not know: no choice to record
        return "", None
    return (answer.region if answer.status == Status.OFFICE else ""), None


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), fields={"password": list(exc.messages)}) from None


def customer_account_prepare(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    zip_code: str = "",
    country: str = "",
    region: str = "",
    office: str = "",
    preferred_language: str = Language.ENGLISH,
    representative: bool = False,
) -> tuple[User, dict[str, Any]]:
    """An unsaved customer (or representative) account with its password hashed, and its profile's
    fields; raises ApplicationError with field errors for input that is wrong whoever asks (residence,
    language, weak password). It reads nothing about other accounts, so its answer never depends on
    whether the address is known, and it always spends the password hasher's time."""
    email = User.objects.normalize_email(email.strip()).lower()
    country_code, zip5 = residence_normalize(zip_code=zip_code, country=country)
    region, office_choice = residence_office_choice(country=country_code, zip_code=zip5, region=region, office=office)
    if preferred_language not in Language.values:
        raise ApplicationError.for_field("preferred_language", str(_("Choose English or Spanish.")))
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=Role.REPRESENTATIVE if representative else Role.CUSTOMER,
    )
    _password_check(password, user)
    user.set_password(password)
    profile = {"country": country_code, "zip_code": zip5, "region": region, "office_choice": office_choice,
               "preferred_language": preferred_language}
    return user, profile


def customer_account_exists(email: str) -> User | None:
    email = (email or "").strip()
    return User.objects.filter(models.Q(email__iexact=email) | models.Q(username__iexact=email)).order_by("id").first()


def customer_account_save(user: User, profile: dict[str, Any]) -> bool:
    """Save a prepared account and its profile; False (nothing written) when the address is taken,
    a concurrent sign-up included. Call inside atomic."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent sign-up with the same address won the race
        return False
    CustomerProfile.objects.create(user=user, **profile)
    audit_record(actor=user, action="account.registered", target=user, role=user.role, pending=user.signup_pending)
    return True


@transaction.atomic
def customer_register(**fields: Any) -> User:
    """Create a confirmed customer (or representative) account with its residence, and owe it the
    welcome e-mail: for the demo data and tools that vouch for the address. E-mail is the username.
    The public sign-up (web and API) is core.signup.customer_signup, which never says whether an
    address has an account; this one answers EMAIL_TAKEN."""
    user, profile = customer_account_prepare(**fields)
    if customer_account_exists(user.email) is not None or not customer_account_save(user, profile):
        raise ApplicationError.for_field("email", str(EMAIL_TAKEN), code="email_taken")
    notification_queue(
        kind="account.welcome", to_email=user.email, user=user, language=profile["preferred_language"],
        template="core/email/welcome", context={"first_name": user.first_name},
        dedupe_key=f"account.welcome:{user.pk}",
    )
    return user


@transaction.atomic
def customer_profile_update(
    *, user: User, zip_code: str = "", country: str = "", preferred_language: str, region: str = "", office: str = "",
) -> CustomerProfile:
    profile = CustomerProfile.objects.select_for_update().get(user=user)
    country_code, zip5 = residence_normalize(zip_code=zip_code, country=country)
    profile.country, profile.zip_code = country_code, zip5
    profile.region, profile.office_choice = residence_office_choice(
        country=country_code, zip_code=zip5, region=region, office=office
    )
    if preferred_language not in Language.values:
        raise ApplicationError.for_field("preferred_language", str(_("Choose English or Spanish.")))
    profile.preferred_language = preferred_language
    profile.save(update_fields=["country", "zip_code", "region", "office_choice", "preferred_language", "updated_at"])
    audit_record(actor=user, action="profile.updated", target=profile, region=profile.region,
                 office_choice=profile.office_choice.code if profile.office_choice else None)
    return profile


@transaction.atomic
def staff_create(
    *, username: str, password: str, role: str, office_code: str | None = None, email: str = "",
    first_name: str = "", last_name: str = "", actor: User | None = None,
) -> User:
    """Create a staff account, or update role, office and password of an existing one."""
    if role not in {r.value for r in STAFF_ROLES}:
        raise ApplicationError.for_field(
            "role", str(UNKNOWN_ROLE).format(roles=", ".join(sorted(r.value for r in STAFF_ROLES)))
        )
    office = None
    if office_code:
        office = Office.objects.filter(code=office_code.strip().upper()).first()
        if office is None:
            raise NotFound(str(UNKNOWN_OFFICE).format(code=office_code))
    if role == Role.OFFICE_STAFF and office is None:
        raise ApplicationError.for_field("office", str(OFFICE_REQUIRED))
    user = User.objects.select_for_update().filter(username=username).first() or User(username=username)
    user.role, user.office = role, office
    user.email = email or user.email
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.is_staff = role == Role.ADMIN  # Django admin access is for admins only
    user.is_superuser = role == Role.ADMIN
    _password_check(password, user)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="staff.saved", target=user, role=role, office=office.code if office else None)
    return user


# --- API tokens (django-rest-knox: stored hashed, each with an expiry) ------------------------------

def api_token_ttl(user: User) -> timedelta:
    """Customers' tokens last 30 days, staff tokens 8 hours (settings)."""
    if access.requires_second_factor(user):
        return settings.PORTAL_API_TOKEN_TTL_STAFF
    return settings.PORTAL_API_TOKEN_TTL_CUSTOMER


@transaction.atomic
def api_token_issue(*, user: User, second_factor: bool = False) -> tuple[AuthToken, str]:
    """A new token for `user` (the secret is returned once, never stored). Staff get one only with
    a second factor; past the per-person limit the oldest tokens are revoked."""
    if access.requires_second_factor(user) and not second_factor:
        raise Forbidden(str(SECOND_FACTOR_NEEDED), code="second_factor_required")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time per person
    instance, secret = AuthToken.objects.create(user=user, expiry=api_token_ttl(user))
    keep = AuthToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)[
        : settings.PORTAL_API_TOKENS_PER_USER]
    AuthToken.objects.filter(user=user).exclude(digest__in=list(keep)).delete()
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()  # not on each request (core.api.authentication)
    audit_record(actor=user, action="api_token.issued", target=user, token=instance.token_key[:8])
    return instance, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: str) -> None:
    """Revoke one of the user's own tokens (404 for anyone else's or none)."""
    deleted, _rows = AuthToken.objects.filter(user=user, digest=token_id).delete()
    if not deleted:
        raise NotFound(str(TOKEN_NOT_FOUND))
    audit_record(actor=user, action="api_token.revoked", target=user)


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    audit_record(actor=user, action="api_token.revoked_all", target=user, count=deleted)
    return deleted


# --- Second factor (django-otp: TOTP with single-use recovery codes) ---------------------------------

RECOVERY_CODES = 10


@transaction.atomic
def second_factor_begin(*, user: User) -> TOTPDevice:
    """A new authenticator (TOTP) for the user to scan; it counts once confirmed with a code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def second_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the new authenticator with its current code; returns it and fresh recovery codes
    (shown once). Earlier authenticators and recovery codes are replaced."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(_code(code)):
        raise ApplicationError.for_field("code", str(WRONG_CODE), code="wrong_code")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    audit_record(actor=user, action="second_factor.enrolled", target=user)
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _code(value: str) -> str:
    return "".join((value or "").split()).lower()


def second_factor_verify(*, user: User, code: str) -> Any:
    """The device that accepts `code` (an authenticator code, or a recovery code, used up), or a
    400 on `code`. django-otp slows repeated wrong codes down (its throttling)."""
    device = match_token(user, _code(code)) if code else None
    if device is None:
        raise ApplicationError.for_field("code", str(WRONG_CODE), code="wrong_code")
    if isinstance(device, StaticDevice):
        audit_record(actor=user, action="second_factor.recovery_code_used", target=user)
    return device


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


# --- Audited reads (the Privacy Act's accounting of disclosures) ---------------------------------------

CASE_VIEWED = "case.viewed"


def case_read_record(*, actor: User, request: models.Model, screen: str, **data: Any) -> AuditEvent | None:
    """A staff member saw a case's details: who, when, which case and through which screen. Customers
    reading their own case are not recorded; a representative's read names the representation it
    was made under (the one covering the case)."""
    if access.is_representative(actor):
        from .representation import representation_for_case

        customer, receipt = getattr(request, "customer", None), getattr(request, "receipt_number", "")
        under = getattr(request, "representation", None)
        if customer is None:
            return None
        representation = under if (under is not None and under.representative_id == actor.pk
                                    and under.status == "active") else None
        try:
            representation = representation or representation_for_case(actor, customer, receipt)
        except ApplicationError:
            return None
        return audit_record(actor=actor, action="representative.read", target=request, screen=screen,
                            reference_number=getattr(request, "reference_number", ""), representation=representation.pk)
    if not access.is_staff_member(actor):
        return None
    return audit_record(actor=actor, action=CASE_VIEWED, target=request, screen=screen,
                        reference_number=getattr(request, "reference_number", ""), role=actor.role, **data)
