from core import services
from core.management.demo import DemoCommand
from core.models import Role, User

DEMO_PASSWORD = "portal-demo-2026"

# (username or e-mail, role, office, first name, last name, residence)
DEMO_ACCOUNTS = [
    ("maria@example.com", Role.CUSTOMER, None, "Maria", "Lopez", {"zip_code": "60605"}),
    ("jean@example.com", Role.CUSTOMER, None, "Jean", "Tremblay", {"country": "CA"}),
    ("counsel@example.com", Role.REPRESENTATIVE, None, "Alex", "Counsel", {"zip_code": "77067"}),
    ("agent", Role.NCSC_AGENT, "NCSC", "Casey", "Agent", None),
    ("vsc.staff", Role.OFFICE_STAFF, "VSC", "Vera", "Vermont", None),
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
            rows.append((login, role.label, office or ""))
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for login, label, office in rows:
            self.stdout.write(f"  {login:<22} {label!s:<45} {office}")
