import pytest

from core.models import Role
from offices.models import Office
from tests.factories import CustomerFactory, StaffFactory, UserFactory


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com", first_name="Maria", profile__zip_code="60605")


@pytest.fixture
def other_customer(directory):
    return CustomerFactory(username="other@example.com")


@pytest.fixture
def vsc_staff(directory):
    return StaffFactory(username="vera", office=Office.objects.get(code="VSC"))


@pytest.fixture
def nsc_staff(directory):
    return StaffFactory(username="nora", office=Office.objects.get(code="NSC"))


@pytest.fixture
def agent(directory):
    return UserFactory(username="casey", role=Role.NCSC_TIER1, office=Office.objects.get(code="NCSC"))


@pytest.fixture
def file_request(maria):
    from service_requests import services

    def file(**kwargs):
        values = {"actor": maria, "request_type": "outside_processing_time", "receipt_number": "EAC2290123456",
                  "description": "My I-130 is past the posted processing time.", **kwargs}
        return services.service_request_file(**values)

    return file
