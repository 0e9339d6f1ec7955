"""Requests filed before answer targets existed get the default one (15 business days after
filing, observed federal holidays excluded), so the queue shows them due or overdue too."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.db import migrations

EASTERN = ZoneInfo("America/New_York")
DEFAULT_DAYS = 15


def backfill(apps, schema_editor):
    Escalation = apps.get_model("service_requests", "Escalation")
    calendar = holidays.country_holidays("US", observed=True)
    batch = []
    rows = Escalation.objects.filter(answer_due_at__isnull=True).select_related("request").only(
        "request_id", "request__created_at")
    for row in rows.iterator(chunk_size=2000):
        day = calendar.get_nth_working_day(row.request.created_at.astimezone(EASTERN).date(), DEFAULT_DAYS)
        row.answer_due_at = datetime.combine(day + timedelta(days=1), time.min, tzinfo=EASTERN)
        batch.append(row)
        if len(batch) >= 2000:
            Escalation.objects.bulk_update(batch, ["answer_due_at"])
            batch = []
    if batch:
        Escalation.objects.bulk_update(batch, ["answer_due_at"])


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0004_ladder_terms_answer_target_one_unanswered")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
