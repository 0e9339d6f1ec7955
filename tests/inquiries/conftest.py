import pytest

from core.models import Role
from offices.models import Office
from tests.factories import CustomerFactory, StaffFactory, UserFactory


@pytest.fixture
def agent(directory):
    return UserFactory(username="casey", role=Role.NCSC_TIER1, office=Office.objects.get(code="NCSC"))


@pytest.fixture
def other_agent(directory):
    return UserFactory(username="chris", role=Role.NCSC_TIER1, office=Office.objects.get(code="NCSC"))


@pytest.fixture
def chicago_staff(directory):
    return StaffFactory(username="carl", office=Office.objects.get(code="CHI"))


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com", first_name="Maria", profile__zip_code="60605")


@pytest.fixture
def record(agent):
    from inquiries import services

    def record(**kwargs):
        values = {"actor": agent, "channel": "ncsc_phone", "topic": "case_status", "contact_name": "Ana Diaz",
                  "contact_email": "ana@example.com", **kwargs}
        return services.inquiry_record(**values)

    return record
