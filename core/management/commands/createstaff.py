from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import services
from core.errors import ApplicationError
from core.models import ROLE_ALIASES, STAFF_ROLES


class Command(BaseCommand):
    help = "Create a staff account, or update the role, office and password of an existing one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted([r.value for r in STAFF_ROLES] + list(ROLE_ALIASES)),
                            help="ncsc_agent is kept as another name for ncsc_tier1")
        parser.add_argument("--office", help="Office code, such as VSC (required for office_staff)")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--recovery-codes", action="store_true",
                            help="Print fresh single-use recovery codes, for the first sign-in before an "
                                 "authenticator app is set up (earlier codes stop working)")

    def handle(self, *args: object, **opts: str) -> None:
        try:
            user = services.staff_create(
                username=opts["username"], password=opts["password"], role=ROLE_ALIASES.get(opts["role"], opts["role"]),
                office_code=opts.get("office"), email=opts["email"],
                first_name=opts["first_name"], last_name=opts["last_name"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        where = f" at {user.office.code}" if user.office else ""
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.username} ({user.role}{where}) is ready."))
        if opts.get("recovery_codes"):
            self.stdout.write("Recovery codes (each works once; give them to the person privately):")
            for code in services.recovery_codes_renew(user=user):
                self.stdout.write(f"  {code}")
