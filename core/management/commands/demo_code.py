from django.core.management.base import CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.management.demo import DemoCommand


class Command(DemoCommand):
    help = "Print the current second-factor code of a demo staff account (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")

    def handle(self, *args: object, **options: str) -> None:
        device = TOTPDevice.objects.filter(user__username=options["username"], name="Demo authenticator").first()
        if device is None:
            raise CommandError(f"{options['username']} has no demo authenticator (run seed_demo first).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
