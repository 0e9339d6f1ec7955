from django.core.management.base import BaseCommand, CommandParser

from offices.services import directory_load


class Command(BaseCommand):
    help = "Load offices, jurisdictions, contact channels and agencies from offices/data/directory.yaml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update", action="store_true",
            help="Overwrite rows that differ from the file (default: keep admins' edits, add what is missing).",
        )

    def handle(self, *args: object, update: bool = False, **options: object) -> None:
        counts = directory_load(update=update)
        if not counts:
            self.stdout.write("Directory already loaded; nothing changed.")
            return
        for key, count in sorted(counts.items()):
            self.stdout.write(f"{key}: {count}")
