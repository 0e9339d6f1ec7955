from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from service_requests.sweep import escalation_sweep


def _as_of(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--as-of takes an ISO 8601 date-time such as 2026-12-12T09:00:00-05:00, not {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "Run the escalation sweep now (the same one Celery beat runs) and print what it changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_as_of, help="Sweep as if it were this moment (ISO 8601).")
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")

    def handle(self, *args: object, as_of: datetime | None = None, dry_run: bool = False, **options: object) -> None:
        result = escalation_sweep(now=as_of, dry_run=dry_run)
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"Escalation sweep as of {result.as_of.isoformat()}{' (dry run: nothing written)' if dry_run else ''}")
        self.stdout.write(f"  waiting -> window1_open: {verb} {result.window1_opened}")
        self.stdout.write(f"  sc_inquiry_sent -> window2_open: {verb} {result.window2_opened}")
        if not dry_run:
            self.stdout.write(f"  notifications owed: {result.notifications_owed}")
