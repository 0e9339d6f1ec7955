"""Existing representative links (requests a representative filed, appointments one booked for a
customer) become pending representations, which the customer confirms in their account. Until then
the representative no longer acts for the customer."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    ServiceRequest = apps.get_model("service_requests", "ServiceRequest")
    Appointment = apps.get_model("appointments", "Appointment")
    Representation = apps.get_model("core", "Representation")
    pairs: dict[tuple[int, int], set[str]] = {}
    for customer_id, representative_id, receipt in ServiceRequest.objects.filter(
            representative__isnull=False, customer__isnull=False).values_list(
            "customer_id", "representative_id", "receipt_number"):
        pairs.setdefault((customer_id, representative_id), set()).update({receipt} if receipt else set())
    for customer_id, booker_id in Appointment.objects.filter(booked_by__role="representative").exclude(
            booked_by_id=F("customer_id")).values_list("customer_id", "booked_by_id"):
        pairs.setdefault((customer_id, booker_id), set())
    for (customer_id, representative_id), receipts in pairs.items():
        if customer_id == representative_id:
            continue
        if Representation.objects.filter(customer_id=customer_id, representative_id=representative_id).exclude(
                status="withdrawn").exists():
            continue
        row = Representation.objects.create(
            customer_id=customer_id, representative_id=representative_id, status="pending", source="migrated",
            all_cases=not receipts, receipt_numbers=sorted(receipts), recorded_by_id=None)
        ServiceRequest.objects.filter(customer_id=customer_id, representative_id=representative_id).update(
            representation=row)


class Migration(migrations.Migration):
    dependencies = [
        ("service_requests", "0009_request_representation"),
        ("appointments", "0003_other_office_reason"),
        ("core", "0011_representation"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
