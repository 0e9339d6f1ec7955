"""Reads for inquiries: visibility, redirect rules for triage, FCR and triage reports."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from core.models import Role, User
from offices.models import RedirectTopic

from . import rules
from .models import Inquiry

INQUIRY_NOT_FOUND = _("No inquiry with that number is yours to see.")


def inquiry_list_for_user(user: User) -> QuerySet[Inquiry]:
    """Agents and office staff: their own office's inquiries. HQ and admins: all. Customers: none."""
    base = Inquiry.objects.select_related("office", "taken_by", "redirect_agency", "redirect_topic", "customer")
    if not user.is_authenticated or not user.is_staff_member:
        return base.none()
    if user.role in (Role.ADMIN, Role.HQ_OSCO):
        return base
    if user.office_id is None:
        return base.filter(taken_by=user)
    return base.filter(office_id=user.office_id)


def inquiry_get_for_user(user: User, inquiry_id: int | str) -> Inquiry:
    try:
        return inquiry_list_for_user(user).get(pk=int(inquiry_id))
    except (Inquiry.DoesNotExist, ValueError, TypeError):
        raise NotFound(str(INQUIRY_NOT_FOUND)) from None


def redirect_topic_get(code: str) -> RedirectTopic | None:
    """Another agency's topic (with its agency) by code, or None."""
    return RedirectTopic.objects.select_related("agency").filter(code=code).first() if code else None


def redirect_topic_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.agency.name}: {t.label}") for t in RedirectTopic.objects.select_related("agency")]


def redirect_rules() -> list[rules.RedirectRule]:
    return [
        rules.RedirectRule(t.code, t.agency.code, tuple(k.strip() for k in t.keywords.split(",") if k.strip()))
        for t in RedirectTopic.objects.select_related("agency")
    ]


@dataclass(frozen=True)
class FcrRow:
    key: str
    week: datetime | None
    total: int
    resolved_first_time: int
    repeats: int

    @property
    def rate(self) -> float:
        return self.resolved_first_time / self.total if self.total else 0.0


def fcr_report(scope: QuerySet[Inquiry], *, by: str) -> list[FcrRow]:
    """First Contact Resolution by channel or office and week: a first contact counts as resolved
    when it was resolved then and nobody came back about it within 30 days. One query."""
    group = {"channel": "channel", "office": "office__code"}[by]
    rows = (
        scope.filter(repeat_of__isnull=True)
        .annotate(week=TruncWeek("created_at"))
        .values(group, "week")
        .annotate(
            total=Count("id", distinct=True),
            resolved=Count("id", filter=Q(resolved_at_first_contact=True, repeats__isnull=True), distinct=True),
            repeated=Count("id", filter=Q(repeats__isnull=False), distinct=True),
        )
        .order_by("week", group)
    )
    return [FcrRow(str(r[group] or "—"), r["week"], r["total"], r["resolved"], r["repeated"]) for r in rows]


def triage_report(scope: QuerySet[Inquiry], *, by: str) -> list[dict]:
    group = {"channel": "channel", "office": "office__code"}[by]
    return list(scope.values(group, "triage").annotate(n=Count("id")).order_by(group, "triage"))


def contact_kind_report(scope: QuerySet[Inquiry], *, by: str) -> list[dict]:
    """Inquiries by who was named (account; name with e-mail or phone; name only; anonymous), one query."""
    group = {"channel": "channel", "office": "office__code"}[by]
    no_name, no_reach = Q(customer__isnull=True, contact_name=""), Q(contact_email="", contact_phone="")
    return list(scope.exclude(channel="self_service").values(group).annotate(
        account=Count("id", filter=Q(customer__isnull=False)),
        reachable=Count("id", filter=Q(customer__isnull=True) & ~Q(contact_name="") & ~no_reach),
        name_only=Count("id", filter=Q(customer__isnull=True) & ~Q(contact_name="") & no_reach),
        anonymous=Count("id", filter=no_name),
    ).order_by(group))


def expedite_report(scope: QuerySet[Inquiry], *, by: str) -> list[dict]:
    """Expedite requests met (a criterion, a service request filed) and not met, one query."""
    group = {"channel": "channel", "office": "office__code"}[by]
    return list(scope.filter(expedite_met__isnull=False).values(group).annotate(
        met=Count("id", filter=Q(expedite_met=True)), not_met=Count("id", filter=Q(expedite_met=False)),
    ).order_by(group))
