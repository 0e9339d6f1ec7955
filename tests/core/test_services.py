import pytest
from django.db import IntegrityError, transaction

from core import services
from core.errors import ApplicationError, NotFound
from core.models import AuditEvent, CustomerProfile, Role, User
from tests.factories import CustomerFactory

GOOD = "correct-horse-battery"


def register(**overrides):
    data = {"email": "Ana@Example.com", "password": GOOD, "first_name": "Ana", "last_name": "Diaz", "zip_code": "60605"}
    return services.customer_register(**{**data, **overrides})


def test_register_a_us_customer(directory):
    user = register()
    assert user.username == user.email == "ana@example.com"
    assert (user.profile.country, user.profile.zip_code) == ("US", "60605")
    assert user.role == Role.CUSTOMER and user.check_password(GOOD)
    assert AuditEvent.objects.filter(action="account.registered", target_id=str(user.pk)).exists()


def test_register_a_customer_abroad_and_a_representative(directory):
    user = register(zip_code="", country="ca", representative=True, preferred_language="es")
    assert (user.profile.country, user.profile.zip_code, user.profile.preferred_language) == ("CA", "", "es")
    assert user.role == Role.REPRESENTATIVE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"zip_code": "ABCDE"}, "zip_code"),
        ({"zip_code": "", "country": ""}, "zip_code"),
        ({"zip_code": "60605", "country": "CA"}, "zip_code"),
        ({"zip_code": "", "country": "PR"}, "zip_code"),
        ({"zip_code": "", "country": "XX"}, "country"),
        ({"password": "short"}, "password"),
        ({"password": "ana@example.com"}, "password"),
        ({"preferred_language": "fr"}, "preferred_language"),
    ],
)
def test_register_refuses_bad_input_with_field_errors(directory, overrides, field):
    with pytest.raises(ApplicationError) as caught:
        register(**overrides)
    assert field in caught.value.fields
    assert not User.objects.filter(email="ana@example.com").exists()


def test_register_refuses_a_taken_email_whatever_its_case(directory):
    register()
    with pytest.raises(ApplicationError) as caught:
        register(email="ANA@example.COM")
    assert caught.value.code == "email_taken"
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1


def test_profile_update(directory):
    user = CustomerFactory()
    services.customer_profile_update(user=user, country="MX", preferred_language="es")
    profile = CustomerProfile.objects.get(user=user)
    assert (profile.country, profile.zip_code, profile.preferred_language) == ("MX", "", "es")


def test_staff_create_and_update(directory):
    user = services.staff_create(username="vera", password=GOOD, role="office_staff", office_code="vsc")
    assert (user.role, user.office.code, user.is_staff) == ("office_staff", "VSC", False)
    user = services.staff_create(username="vera", password=GOOD, role="admin")
    assert (user.role, user.office, user.is_staff, user.is_superuser) == ("admin", None, True, True)
    assert User.objects.filter(username="vera").count() == 1


def test_staff_create_refuses_bad_input(directory):
    with pytest.raises(ApplicationError, match="office"):
        services.staff_create(username="x", password=GOOD, role="office_staff")
    with pytest.raises(NotFound):
        services.staff_create(username="x", password=GOOD, role="office_staff", office_code="NOPE")
    with pytest.raises(ApplicationError, match="Role must be"):
        services.staff_create(username="x", password=GOOD, role="customer")
    assert not User.objects.filter(username="x").exists()


def test_database_refuses_office_staff_without_office(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lonely", role=Role.OFFICE_STAFF)


def test_database_refuses_a_second_account_with_the_same_email_in_another_case(db):
    User.objects.create(username="a", email="same@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="b", email="SAME@example.com")


@pytest.mark.parametrize(("country", "zip_code"), [("US", ""), ("US", "ABCDE"), ("CA", "60605")])
def test_database_refuses_a_residence_that_is_not_zip_iff_us(db, country, zip_code):
    user = User.objects.create(username="someone")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerProfile.objects.create(user=user, country=country, zip_code=zip_code)
