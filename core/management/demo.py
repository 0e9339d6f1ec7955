from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class DemoCommand(BaseCommand):
    """A command that makes demonstration data: refused when DEBUG is off unless --force is given."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def execute(self, *args: object, **options: object) -> str | None:
        if not settings.DEBUG and not options.get("force"):
            raise CommandError("Demo data is for development; DEBUG is off. Use --force if you mean it.")
        return super().execute(*args, **options)
