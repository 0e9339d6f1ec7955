from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def translated_columns(*fields: str) -> list[str]:
    """The per-language columns django-modeltranslation adds for `fields` (name_en, name_es, ...): a
    model's history leaves them out, as they are added after the history model is built."""
    return [f"{field}_{code}" for field in fields for code, _label in settings.LANGUAGES]


class BaseModel(models.Model):
    """Every domain table carries when it was created and last changed."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    REPRESENTATIVE = "representative", _("Representative (attorney or accredited representative)")
    NCSC_TIER1 = "ncsc_tier1", _("Contact Center Tier 1 (customer service representative)")
    NCSC_TIER2 = "ncsc_tier2", _("Contact Center Tier 2 (immigration services officer)")
    OFFICE_STAFF = "office_staff", _("Office staff")
    HQ_OSCO = "hq_osco", _("HQ Office of Service Center Operations")
    ADMIN = "admin", _("Administrator")


CUSTOMER_ROLES = frozenset({Role.CUSTOMER, Role.REPRESENTATIVE})
CONTACT_CENTER_ROLES = frozenset({Role.NCSC_TIER1, Role.NCSC_TIER2})
STAFF_ROLES = frozenset({*CONTACT_CENTER_ROLES, Role.OFFICE_STAFF, Role.HQ_OSCO, Role.ADMIN})
# `createstaff --role ncsc_agent` (the role's name before the two tiers) still makes a Tier 1 agent.
ROLE_ALIASES = {"ncsc_agent": Role.NCSC_TIER1}


class PortalUserManager(UserManager["User"]):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who signs in: a customer, a representative, or staff in one of the roles.

    Customers sign in with their e-mail (their username is their e-mail). Office staff belong to
    exactly one office; the database refuses office staff without one.
    """

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    office = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    # A self-service sign-up waiting for the link in its confirmation e-mail (core.signup). Such an
    # account is inactive, so no backend signs it in and no token is issued; an account an admin
    # deactivated is not pending, so signing up again never reactivates it.
    signup_pending = models.BooleanField(default=False)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICE_STAFF) | Q(office__isnull=False),
                name="user_office_staff_has_office",
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_ci_unique"
            ),
            models.CheckConstraint(
                condition=Q(signup_pending=False) | Q(is_active=False), name="user_signup_pending_inactive"
            ),
        ]

    @property
    def is_customer(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class CustomerProfile(BaseModel):
    """Where the customer lives decides their field office (ZIP) or international office (country)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    country = CountryField(default="US")
    zip_code = models.CharField(max_length=5, blank=True)
    region = models.CharField(
        max_length=100, blank=True, db_default="", help_text=_("Province or state abroad, where the country is split between offices.")
    )
    office_choice = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The customer's field office where the directory names several for their ZIP code."),
    )
    preferred_language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(country="US") & Q(zip_code__regex=r"^[0-9]{5}$"))
                | (~Q(country="US") & Q(zip_code="")),
                name="profile_residence_zip_iff_us",
            ),
            models.CheckConstraint(
                condition=Q(preferred_language__in=[c.value for c in Language]),
                name="profile_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.zip_code or self.country})"

    @property
    def lives_in_us(self) -> bool:
        return self.country == "US"


class AuditEvent(models.Model):
    """Who did what to which record, and when. Written explicitly by services, never by signals."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="audit_target_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_id}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Its worker stopped mid-send: it may have gone out. Kept for an admin, never re-sent blindly.
    HELD = "held", _("Held (outcome unknown)")


class Notification(BaseModel):
    """An e-mail the portal owes someone: the outbox row is written in the same transaction as the
    change that causes it, and a worker sends it after commit.

    `dedupe_key` makes "notify exactly once" a database rule: a second attempt to owe the same
    notice (a sweep run twice, two workers at once) hits the unique constraint and is ignored.
    """

    kind = models.CharField(max_length=48)
    # No index: nothing looks notifications up by user, and a sweep may write a million at once.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications",
        db_index=False,
    )
    to_email = models.EmailField()
    language = models.CharField(max_length=5, default="en")
    # What to render at delivery: a template prefix and a JSON context whose model references are
    # loaded fresh then (so a sweep can owe a million e-mails with one INSERT … SELECT).
    template = models.CharField(max_length=100, blank=True)
    context = models.TextField(default="{}", blank=True)
    batch = models.CharField(max_length=40, null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the row is first claimed; every send of the row carries it, so a provider that keeps
    # Message-IDs drops a second copy.
    message_id = models.CharField(max_length=255, null=True, blank=True)
    # After a failed send: not before this time (backoff). Empty: due as soon as it is handed over.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # Few indexes: a sweep may write a million of these rows in one statement.
        indexes = [
            models.Index(
                fields=["created_at"], name="notification_unsent_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["batch"], name="notification_batch_idx", condition=Q(batch__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in NotificationStatus]), name="notification_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.SENT) | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST sent with an `Idempotency-Key` header.

    A retry with the same key (same user) gets this answer back instead of repeating the action.
    The row is inserted first, in the same transaction as the action, so a concurrent retry waits on
    the unique index and then replays; an action that fails leaves no row, so it may be retried.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class CacheEntry(models.Model):
    """A row of the database cache (`caches["fallback"]`, Django's DatabaseCache): where throttles
    count while the shared cache (Redis) is down. Same columns as `manage.py createcachetable`."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "portal_cache_fallback"

    def __str__(self) -> str:
        return self.cache_key


class RepresentationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer to confirm")
    ACTIVE = "active", _("On record")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RepresentationSource(models.TextChoices):
    CUSTOMER = "customer", _("Named by the customer")
    REPRESENTATIVE = "representative", _("Asked for by the representative")
    G28 = "g28", _("Form G-28 recorded by USCIS staff")
    MIGRATED = "migrated", _("Earlier link, to be confirmed by the customer")


class Representation(BaseModel):
    """A representation on record: the representative acts for the customer only while it is active,
    and only for the cases it covers (all the customer's, or the named receipt numbers).

    Active when the customer names the representative, confirms the representative's request (or an
    earlier link), or staff record a Form G-28; either side may withdraw it."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations")
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations_held")
    status = models.CharField(max_length=12, choices=RepresentationStatus.choices, default=RepresentationStatus.PENDING)
    source = models.CharField(max_length=16, choices=RepresentationSource.choices)
    all_cases = models.BooleanField(default=False)
    # Upper-case receipt numbers (three letters and ten digits), comma-free; empty with all_cases.
    receipt_numbers = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "representative"], condition=~Q(status="withdrawn"),
                name="representation_one_open_per_pair"),
            models.CheckConstraint(condition=~Q(customer=models.F("representative")), name="representation_not_self"),
            models.CheckConstraint(condition=Q(status__in=["pending", "active", "withdrawn"]),
                                   name="representation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Representation {self.pk}: {self.representative} for {self.customer} ({self.status})"

    @property
    def scope_text(self) -> str:
        return str(_("All cases")) if self.all_cases else ", ".join(self.receipt_numbers)

    def covers(self, receipt_number: str) -> bool:
        return self.status == RepresentationStatus.ACTIVE and (
            self.all_cases or (bool(receipt_number) and receipt_number.upper() in self.receipt_numbers))
