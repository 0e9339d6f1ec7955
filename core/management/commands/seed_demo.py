import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from core import access, services
from core.management.demo import DemoCommand
from core.models import Representation, Role, User
from core.representation import representation_invite

DEMO_PASSWORD = "portal-demo-2026"
# Demo staff sign in with a second factor too: every demo staff account's authenticator uses this
# (public, demo-only) key. Add it to an authenticator app, or print the current code with
# `python manage.py demo_code USERNAME`.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key

# (username or e-mail, role, office, first name, last name, residence)
DEMO_ACCOUNTS = [
    ("maria@example.com", Role.CUSTOMER, None, "Maria", "Lopez", {"zip_code": "60605"}),
    ("jean@example.com", Role.CUSTOMER, None, "Jean", "Tremblay", {"country": "CA"}),
    ("counsel@example.com", Role.REPRESENTATIVE, None, "Alex", "Counsel", {"zip_code": "77067"}),
    ("ana@example.com", Role.CUSTOMER, None, "Ana", "Díaz", {"zip_code": "60601"}),
    ("jose@example.com", Role.CUSTOMER, None, "José", "Núñez", {"zip_code": "60614"}),
    ("li@example.com", Role.CUSTOMER, None, "Li", "Wei", {"zip_code": "60616"}),
    ("agent", Role.NCSC_TIER1, "NCSC", "Casey", "Agent", None),
    ("officer", Role.NCSC_TIER2, "NCSC", "Olivia", "Officer", None),
    ("vsc.staff", Role.OFFICE_STAFF, "VSC", "Vera", "Vermont", None),
    ("vsc.officer", Role.OFFICE_STAFF, "VSC", "Victor", "Vance", None),
    ("chi.staff", Role.OFFICE_STAFF, "CHI", "Carl", "Chicago", None),
    ("hq.osco", Role.HQ_OSCO, "OSCO", "Hana", "Headquarters", None),
    ("admin", Role.ADMIN, None, "Ada", "Admin", None),
]


class Command(DemoCommand):
    help = "Create demo accounts for local development (refused when DEBUG is off unless --force)."

    def handle(self, *args: object, **options: object) -> None:
        rows = []
        for login, role, office, first, last, residence in DEMO_ACCOUNTS:
            if not User.objects.filter(username=login).exists():
                if residence is not None:
                    services.customer_register(
                        email=login, password=DEMO_PASSWORD, first_name=first, last_name=last,
                        representative=role == Role.REPRESENTATIVE, **residence,
                    )
                else:
                    services.staff_create(
                        username=login, password=DEMO_PASSWORD, role=role, office_code=office,
                        first_name=first, last_name=last, email=f"{login}@portal.example.gov",
                    )
            user = User.objects.get(username=login)
            if access.requires_second_factor(user):
                TOTPDevice.objects.get_or_create(user=user, name="Demo authenticator",
                                                 defaults={"key": DEMO_TOTP_KEY, "confirmed": True})
            rows.append((login, role.label, office or ""))
        maria, counsel = User.objects.get(username="maria@example.com"), User.objects.get(username="counsel@example.com")
        if not Representation.objects.filter(customer=maria, representative=counsel).exists():
            representation_invite(customer=maria, representative_email=counsel.email, all_cases=True)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for login, label, office in rows:
            self.stdout.write(f"  {login:<22} {label!s:<45} {office}")
        self.stdout.write("Staff also enter a code: `python manage.py demo_code USERNAME` prints the current one "
                          f"(or add the key {base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()} to an authenticator app).")
