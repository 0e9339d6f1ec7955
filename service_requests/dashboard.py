"""Reads for the staff dashboard: stages, windows opening soon, age and time to first response.

Each figure is one aggregate query whatever the number of requests.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from .models import OPEN_STATUSES, ServiceRequest, Status
from .windows import Stage

AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7", 0, 7), ("8–14", 8, 14), ("15–21", 15, 21), ("22–30", 22, 30), ("31+", 31, None),
)


def stage_counts(scope: QuerySet[ServiceRequest]) -> list[tuple[str, str, int]]:
    counts = dict(scope.values_list("escalation__stage").annotate(n=Count("id")).order_by())
    return [(stage.value, str(stage.label), counts.get(stage.value, 0)) for stage in Stage]


def opening_soon(scope: QuerySet[ServiceRequest], *, now: datetime, days: int = 7) -> QuerySet[ServiceRequest]:
    """Open requests whose next window opens within `days`."""
    until = now + timedelta(days=days)
    return (
        scope.filter(status="open")
        .filter(Q(escalation__stage=Stage.WAITING, escalation__window1_opens_at__gt=now,
                  escalation__window1_opens_at__lte=until)
                | Q(escalation__stage=Stage.SC_INQUIRY_SENT, escalation__window2_opens_at__gt=now,
                    escalation__window2_opens_at__lte=until))
        .select_related("current_office", "escalation")
        .order_by("escalation__window1_opens_at")[:200]
    )


@dataclass(frozen=True)
class OfficeAges:
    office: str
    buckets: list[int]  # counts per AGE_BUCKETS
    total: int


def age_by_office(scope: QuerySet[ServiceRequest], *, now: datetime) -> list[OfficeAges]:
    aggregates = {}
    for label, low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high + 1))
        aggregates[label] = Count("id", filter=condition)
    rows = (
        scope.filter(status__in=OPEN_STATUSES)
        .values("current_office__code")
        .annotate(**aggregates)
        .order_by("current_office__code")
    )
    result = []
    for row in rows:
        buckets = [row[label] for label, _low, _high in AGE_BUCKETS]  # type: ignore[literal-required]
        result.append(OfficeAges(row["current_office__code"], buckets, sum(buckets)))
    return [r for r in result if r.total]


@dataclass(frozen=True)
class OfficeTimeliness:
    office: str
    unanswered: int
    overdue: int  # unanswered past the answer target fixed at filing (§D.4)


def timeliness_by_office(scope: QuerySet[ServiceRequest], *, now: datetime) -> list[OfficeTimeliness]:
    """Per office holding them now: unanswered requests, and how many are past their answer target."""
    rows = (
        scope.filter(status=Status.OPEN)
        .values("current_office__code")
        .annotate(unanswered=Count("id"), overdue=Count("id", filter=Q(escalation__answer_due_at__lte=now)))
        .order_by("current_office__code")
    )
    return [OfficeTimeliness(r["current_office__code"], r["unanswered"], r["overdue"]) for r in rows]


@dataclass(frozen=True)
class OfficeResponse:
    office: str
    answered: int
    mean_days: float


def first_response_by_office(scope: QuerySet[ServiceRequest]) -> list[OfficeResponse]:
    waited = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    rows = (
        scope.filter(first_response_at__isnull=False)
        .values("current_office__code")
        .annotate(answered=Count("id"), mean=Avg(waited))
        .order_by("current_office__code")
    )
    return [
        OfficeResponse(row["current_office__code"], row["answered"], row["mean"].total_seconds() / 86400)
        for row in rows if row["mean"] is not None
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # percent of the widest bar
    y: int


def bars(items: list[tuple[str, float]], *, row_height: int = 28) -> list[Bar]:
    """Geometry for a horizontal bar chart drawn in SVG by the template."""
    widest = max((value for _label, value in items), default=0) or 1
    return [Bar(label, value, 100 * value / widest, i * row_height) for i, (label, value) in enumerate(items)]


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    count: int
    bucket: int


def stacked(offices: list[OfficeAges]) -> list[tuple[OfficeAges, list[Segment], int]]:
    """Per office, one segment per age bucket, scaled to the largest office."""
    largest = max((o.total for o in offices), default=0) or 1
    rows = []
    for i, office in enumerate(offices):
        x, segments = 0.0, []
        for bucket, count in enumerate(office.buckets):
            width = 100 * count / largest
            segments.append(Segment(x, width, count, bucket))
            x += width
        rows.append((office, segments, i * 28))
    return rows
