"""Insert many requests directly, with their escalation rows, for queue and sweep tests."""

from datetime import datetime, timedelta

from offices.models import Office
from service_requests.models import Escalation, ServiceRequest
from service_requests.windows import WindowPolicy, window1_opening
from tests.factories import CustomerFactory

TYPES = ["outside_processing_time", "card_not_received", "expedite", "typographic_error"]


def bulk_requests(count: int, *, created: datetime | None = None, office: str = "VSC", stage: str = "waiting",
                  prefix: str = "SRT", spread_days: int = 0, vary: bool = False, **escalation: datetime | None) -> None:
    customer = CustomerFactory.create()
    where = Office.objects.get(code=office)
    base = created or datetime.now().astimezone()
    rows = []
    for i in range(count):
        at = base - timedelta(days=i % spread_days if spread_days else 0, minutes=i if spread_days else 0)
        rows.append(ServiceRequest(
            reference_number=f"{prefix}{i:010d}", customer=customer, receipt_number=f"EAC{i:010d}",
            request_type=TYPES[i % 4] if vary else TYPES[0], channel="online", description="x",
            current_office=where, created_at=at, status="closed" if vary and i % 7 == 0 else "open",
            service_center_inquiry_at=escalation.get("service_center_inquiry_at"),
        ))
    ServiceRequest.objects.bulk_create(rows, batch_size=2000)
    created_rows = ServiceRequest.objects.filter(reference_number__startswith=prefix).values_list("id", "created_at")
    Escalation.objects.bulk_create([
        Escalation(request_id=pk, stage=stage, window1_opens_at=window1_opening(at, WindowPolicy()),
                   window2_opens_at=escalation.get("window2_opens_at"))
        for pk, at in created_rows
    ], batch_size=2000)
