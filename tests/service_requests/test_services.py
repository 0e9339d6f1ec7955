import pytest
from django.core import mail

from core.errors import ApplicationError, Conflict, NotFound
from core.models import AuditEvent
from offices.models import Office
from service_requests import selectors, services
from service_requests.models import EventKind, ServiceRequest
from tests.factories import CustomerFactory, StaffFactory, represent


@pytest.mark.parametrize(
    ("receipt", "office"),
    [("EAC2290123456", "VSC"), ("VSC2290123456", "VSC"), ("WAC2290123456", "CSC"), ("CSC2290123456", "CSC"),
     ("LIN2290123456", "NSC"), ("NSC2290123456", "NSC"), ("SRC2290123456", "TSC"), ("TSC2290123456", "TSC"),
     ("MSC2290123456", "NBC"), ("NBC2290123456", "NBC"), ("YSC2290123456", "PSC"), ("PSC2290123456", "PSC"),
     ("SIM2290123456", "NBC"), ("HOU2290123456", "HOU"), ("NYC2290123456", "NYC"),
     ("IOE0912345678", "CHI")],  # ELIS names no office: the customer's field office (ZIP 60605)
)
def test_routing_by_every_receipt_prefix(file_request, receipt, office):
    assert file_request(receipt_number=receipt).current_office.code == office


def test_without_a_receipt_number_the_office_with_jurisdiction_gets_it(file_request):
    request = file_request(request_type="accommodation", receipt_number="")
    assert request.current_office.code == "CHI"


def test_unknown_prefix_and_bad_receipt_are_field_errors(file_request):
    with pytest.raises(ApplicationError) as caught:
        file_request(receipt_number="QQQ2290123456")  # (an unknown Z prefix is an asylum office's: test_routing)
    assert "receipt_number" in caught.value.fields and "QQQ" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        file_request(receipt_number="EAC123")
    assert "receipt_number" in caught.value.fields
    assert not ServiceRequest.objects.exists()


def test_filing_gives_a_non_guessable_reference_and_a_timeline(file_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = file_request()
        second = file_request(request_type="card_not_received")
    for request in (first, second):
        assert request.reference_number.startswith("SR") and len(request.reference_number) == 13
    assert first.reference_number != second.reference_number
    assert [e.kind for e in first.events.all()] == [EventKind.CREATED]
    assert first.reference_number in mail.outbox[0].subject and "Vermont Service Center" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="service_request.filed").count() == 2


def test_duplicate_open_request_is_409_naming_the_open_one(file_request):
    first = file_request()
    with pytest.raises(Conflict) as caught:
        file_request(receipt_number="eac-22-901-23456")
    assert caught.value.code == "duplicate" and first.reference_number in caught.value.message
    assert caught.value.extra == {"reference_number": first.reference_number}
    assert file_request(request_type="card_not_received")  # another type is fine


def test_a_closed_request_allows_a_new_one(file_request, vsc_staff):
    first = file_request()
    services.service_request_close(actor=vsc_staff, reference_number=first.reference_number)
    assert file_request().reference_number != first.reference_number


@pytest.mark.parametrize("case_class", ["vawa", "t_visa", "u_visa"])
def test_change_of_address_refused_for_confidential_cases(file_request, case_class):
    with pytest.raises(ApplicationError, match="VAWA, T or U"):
        file_request(request_type="change_of_address", case_class=case_class)
    assert not ServiceRequest.objects.exists()


def test_agent_files_for_a_caller_without_an_account(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.service_request_file(
            actor=agent, request_type="notice_not_received", receipt_number="LIN2290123456",
            description="Caller never got the approval notice.", contact_name="Ana Diaz",
            contact_email="Ana@Example.com", channel="phone",
        )
    assert (request.customer, request.contact_email, request.channel) == (None, "ana@example.com", "phone")
    assert request.current_office.code == "NSC"
    assert mail.outbox[0].to == ["ana@example.com"] and request.reference_number in mail.outbox[0].body
    assert list(selectors.service_request_list_for_user(agent)) == [request]


def test_agent_needs_a_zip_when_the_receipt_names_no_office(agent):
    with pytest.raises(ApplicationError) as caught:
        services.service_request_file(actor=agent, request_type="outside_processing_time",
                                      receipt_number="IOE0912345678", description="x", contact_name="A",
                                      contact_email="a@example.com")
    assert "zip_code" in caught.value.fields
    request = services.service_request_file(actor=agent, request_type="outside_processing_time",
                                            receipt_number="IOE0912345678", description="x", contact_name="A",
                                            contact_email="a@example.com", zip_code="77067")
    assert request.current_office.code == "HOU"


def test_respond_records_the_first_response_and_tells_the_customer_to_sign_in(
        file_request, vsc_staff, django_capture_on_commit_callbacks):
    request = file_request()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number,
                                                    body="Your case was approved on 1 December; the card is in the mail.")
    assert answered.status == "answered" and answered.first_response_at
    (email,) = mail.outbox
    assert "Sign in" in email.body and "approved" not in email.body  # case details never by e-mail
    first = answered.first_response_at
    again = services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number, body="More.")
    assert again.first_response_at == first


def test_internal_notes_are_not_responses_and_never_reach_the_customer(
        file_request, vsc_staff, maria, django_capture_on_commit_callbacks):
    request = file_request()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        noted = services.service_request_note(actor=vsc_staff, reference_number=request.reference_number,
                                              body="Secret: file is in the Vermont vault.")
    assert noted.first_response_at is None and noted.status == "open"
    assert mail.outbox == []
    customer_events = selectors.timeline_for_user(maria, noted)
    assert all("vault" not in e.body for e in customer_events)
    assert any("vault" in e.body for e in selectors.timeline_for_user(vsc_staff, noted))


def test_transfer_moves_the_request_between_queues_and_keeps_the_timeline(file_request, vsc_staff, nsc_staff, maria):
    request = file_request()
    moved = services.service_request_transfer(actor=vsc_staff, reference_number=request.reference_number,
                                              to_office="nsc", reason="File is in Lincoln.")
    assert moved.current_office.code == "NSC" and moved.first_response_at is None  # a transfer is not a response
    assert not selectors.service_request_list_for_user(vsc_staff).filter(pk=request.pk).exists()
    assert selectors.service_request_list_for_user(nsc_staff).filter(pk=request.pk).exists()
    transfer = moved.events.get(kind=EventKind.TRANSFER)
    assert (transfer.from_office.code, transfer.to_office.code, transfer.actor, transfer.body) == (
        "VSC", "NSC", vsc_staff, "File is in Lincoln.")
    assert [e.kind for e in moved.events.all()] == ["created", "transfer"]
    again = services.service_request_transfer(actor=nsc_staff, reference_number=request.reference_number,
                                              to_office="CHI", reason="Interview pending in Chicago.")
    assert [e.kind for e in again.events.all()] == ["created", "transfer", "transfer"]


@pytest.mark.parametrize(("to_office", "field"), [("NOPE", "to_office"), ("MEX", "to_office"), ("NCSC", "to_office")])
def test_transfer_refuses_unknown_or_non_case_offices(file_request, vsc_staff, to_office, field):
    request = file_request()
    with pytest.raises(ApplicationError) as caught:
        services.service_request_transfer(actor=vsc_staff, reference_number=request.reference_number,
                                          to_office=to_office, reason="x")
    assert field in caught.value.fields
    request.refresh_from_db()
    assert request.current_office.code == "VSC" and request.version == 1


def test_transfer_to_the_same_office_and_stale_versions_are_409(file_request, vsc_staff):
    request = file_request()
    with pytest.raises(Conflict):
        services.service_request_transfer(actor=vsc_staff, reference_number=request.reference_number,
                                          to_office="VSC", reason="x")
    services.service_request_note(actor=vsc_staff, reference_number=request.reference_number, body="looked")
    with pytest.raises(Conflict) as caught:
        services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number, body="Hi",
                                         expected_version=1)
    assert caught.value.code == "stale"


def test_acting_after_a_colleague_transferred_it_away_is_409_not_404(file_request, vsc_staff):
    request = file_request()
    colleague = StaffFactory(office=vsc_staff.office)
    services.service_request_transfer(actor=colleague, reference_number=request.reference_number, to_office="NSC",
                                      reason="x")
    with pytest.raises(Conflict) as caught:
        services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number, body="Hi")
    assert caught.value.code == "stale" and "Nebraska" in caught.value.message


def test_relocate_sends_the_agency_details(file_request, vsc_staff, django_capture_on_commit_callbacks):
    request = file_request()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relocated = services.service_request_relocate(actor=vsc_staff, reference_number=request.reference_number,
                                                      agency="dos-nvc", reason="Visa interview scheduling")
    assert relocated.status == "relocated" and relocated.relocated_to.code == "dos-nvc" and relocated.first_response_at
    assert "National Visa Center" in mail.outbox[0].body and "603-334-0700" in mail.outbox[0].body
    with pytest.raises(Conflict):
        services.service_request_close(actor=vsc_staff, reference_number=request.reference_number)
    with pytest.raises(ApplicationError):
        services.service_request_relocate(actor=vsc_staff, reference_number=file_request(
            request_type="card_not_received").reference_number, agency="nope")


def test_close(file_request, vsc_staff):
    request = file_request()
    closed = services.service_request_close(actor=vsc_staff, reference_number=request.reference_number, reason="Done")
    assert closed.status == "closed" and closed.closed_at


def test_empty_response_is_400(file_request, vsc_staff):
    request = file_request()
    with pytest.raises(ApplicationError) as caught:
        services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number, body="  ")
    assert "body" in caught.value.fields


def test_access_matrix(file_request, maria, other_customer, vsc_staff, nsc_staff, agent, directory):
    from tests.factories import UserFactory

    request = file_request()
    admin = UserFactory(username="root", role="admin")
    hq = UserFactory(username="hq", role="hq_osco")
    visible = {user.username: selectors.service_request_list_for_user(user).filter(pk=request.pk).exists()
               for user in (maria, other_customer, vsc_staff, nsc_staff, agent, admin, hq)}
    assert visible == {"maria@example.com": True, "other@example.com": False, "vera": True, "nora": False,
                       "casey": False, "root": True, "hq": False}
    ServiceRequest.objects.filter(pk=request.pk).update(hq_inquiry_at=request.created_at)
    assert selectors.service_request_list_for_user(hq).filter(pk=request.pk).exists()


@pytest.mark.parametrize("actor_name", ["other_customer", "nsc_staff", "maria"])
def test_strangers_and_customers_get_404_on_staff_actions(file_request, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    sr = file_request()
    with pytest.raises(NotFound):
        services.service_request_respond(actor=actor, reference_number=sr.reference_number, body="x")
    with pytest.raises(NotFound):
        services.service_request_transfer(actor=actor, reference_number=sr.reference_number, to_office="NSC",
                                          reason="x")
    sr.refresh_from_db()
    assert sr.version == 1


def test_representative_files_for_a_customer(maria):
    from tests.factories import UserFactory

    counsel = UserFactory(role="representative")
    under = represent(maria, counsel)  # a representation on record (changed deliberately: it is required now)
    request = services.service_request_file(actor=counsel, customer=maria, request_type="typographic_error",
                                            receipt_number="WAC2290123456", description="Name misspelled.")
    assert (request.customer, request.representative, request.representation) == (maria, counsel, under)
    assert selectors.service_request_list_for_user(counsel).filter(pk=request.pk).exists()


def test_customers_abroad_are_routed_to_their_international_office_without_a_prefix(directory):
    jean = CustomerFactory(profile__country="CA", profile__zip_code="")
    request = services.service_request_file(actor=jean, request_type="other", description="Question")
    assert request.current_office.code == "MEX"


def test_priority_types(file_request):
    assert file_request(request_type="expedite").priority
    assert not file_request().priority


def test_the_same_office_count_via_the_real_flow(file_request, vsc_staff):
    requests = [file_request(request_type=t) for t in ("outside_processing_time", "card_not_received")]
    assert selectors.staff_queue(vsc_staff).count() == 2
    services.service_request_transfer(actor=vsc_staff, reference_number=requests[0].reference_number,
                                      to_office="CSC", reason="x")
    assert selectors.staff_queue(vsc_staff).count() == 1
    assert Office.objects.get(code="CSC").service_requests.count() == 1
