from django.core.management.base import BaseCommand

from appointments.services import schedules_load


class Command(BaseCommand):
    help = "Load appointment reasons, the default booking policy and demonstration weekly schedules."

    def handle(self, *args: object, **options: object) -> None:
        counts = schedules_load()
        if not any(counts.values()):
            self.stdout.write("Schedules already loaded; nothing changed.")
            return
        for key, count in counts.items():
            self.stdout.write(f"{key} created: {count}")
