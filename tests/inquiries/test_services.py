from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from core.errors import ApplicationError, Conflict, Forbidden, NotFound
from core.models import AuditEvent
from inquiries import selectors, services
from inquiries.models import FaxPermission, Inquiry
from service_requests.models import ServiceRequest

ET = ZoneInfo("America/New_York")


def test_record_triages_and_keeps_the_suggestion(record):
    inquiry = record(topic="other_agency", text="How do I fix my I-94?")
    assert (inquiry.suggested_triage, inquiry.triage) == ("redirect", "redirect")
    assert inquiry.redirect_agency.code == "cbp" and inquiry.redirect_topic.code == "i94"
    assert inquiry.office.code == "NCSC"


def test_staff_override_is_recorded_with_its_reason(record, agent):
    with pytest.raises(ApplicationError) as caught:
        record(topic="forms_and_fees", triage_override="complaint")
    assert "override_reason" in caught.value.fields
    inquiry = record(topic="forms_and_fees", triage_override="complaint", override_reason="Upset about the fee")
    assert (inquiry.suggested_triage, inquiry.triage, inquiry.overridden_by) == ("standard", "complaint", agent)
    assert inquiry.override_reason == "Upset about the fee"
    assert inquiry.complaint_kind == "non_case_specific"
    later = services.inquiry_override_triage(actor=agent, inquiry_id=inquiry.pk, triage="redirect",
                                             reason="  Actually SSA ", redirect_topic="social-security")
    assert later.redirect_agency.code == "ssa"
    later.refresh_from_db()
    assert (later.triage, later.override_reason, later.overridden_by) == ("redirect", "Actually SSA", agent)
    event = AuditEvent.objects.get(action="inquiry.triage_overridden", target_id=str(inquiry.pk))
    assert event.actor == agent and event.data["triage"] == "redirect" and event.data["reason"].strip() == "Actually SSA"


def test_redirect_without_an_agency_asks_for_one(record):
    with pytest.raises(ApplicationError) as caught:
        record(topic="other_agency", text="something else")
    assert "redirect_topic" in caught.value.fields
    assert not Inquiry.objects.exists()


def test_expedite_needs_a_current_criterion_and_evidence_and_raises_a_priority_request(record, maria):
    with pytest.raises(ApplicationError) as caught:
        record(topic="expedite", customer=maria, receipt_number="EAC2290123456")
    assert "expedite_criterion" in caught.value.fields
    with pytest.raises(ApplicationError):
        record(topic="expedite", customer=maria, receipt_number="EAC2290123456", expedite_criterion="uscis-interest",
               expedite_evidence="x")  # a 2014 criterion, not in the current list
    inquiry = record(topic="expedite", customer=maria, receipt_number="EAC2290123456",
                     expedite_criterion="humanitarian", expedite_evidence="Father gravely ill abroad; letter from doctor")
    request = inquiry.service_request
    assert request.request_type == "expedite" and request.priority and request.current_office.code == "VSC"
    assert request.channel == "phone" and "letter from doctor" in request.description
    assert inquiry.expedite_criterion.version == "2022"


def test_outreach_case_question_gets_no_case_answer(chicago_staff):
    inquiry = services.inquiry_record(actor=chicago_staff, channel="outreach_event", topic="case_status",
                                      is_case_specific=True, contact_name="Visitor", contact_phone="555-0100")
    assert inquiry.triage == "outreach_redirect"


def test_misconduct_complaint(record):
    inquiry = record(topic="other", text="The guard grabbed me.", misconduct_alleged=True)
    assert (inquiry.triage, inquiry.complaint_kind) == ("complaint", "misconduct")


def test_a_later_inquiry_on_the_same_topic_within_30_days_counts_against_the_first(record, maria):
    with time_machine.travel(datetime(2026, 11, 1, 10, tzinfo=ET), tick=False):
        first = record(customer=maria, resolved_at_first_contact=True)
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=ET), tick=False):
        second = record(customer=maria)
        other_topic = record(customer=maria, topic="forms_and_fees")
    with time_machine.travel(datetime(2026, 11, 25, 10, tzinfo=ET), tick=False):
        third = record(customer=maria)
    with time_machine.travel(datetime(2027, 1, 5, 10, tzinfo=ET), tick=False):
        much_later = record(customer=maria)
    assert (second.repeat_of, third.repeat_of) == (first, first)
    assert other_topic.repeat_of is None and much_later.repeat_of is None
    rows = selectors.fcr_report(Inquiry.objects.all(), by="channel")
    november = [r for r in rows if r.week.month == 10 or r.week.month == 11]
    first_row = next(r for r in november if r.total and r.repeats)
    assert (first_row.resolved_first_time, first_row.repeats) == (0, 1)  # resolved then, but they came back


def test_repeat_by_receipt_number_without_an_account(record):
    first = record(receipt_number="EAC2290123456")
    again = record(receipt_number="eac-22-901-23456", contact_name="Ana", contact_email="a@example.com")
    assert again.repeat_of == first


def test_fcr_rate(record):
    record(resolved_at_first_contact=True, receipt_number="EAC2290000001")
    record(resolved_at_first_contact=True, receipt_number="EAC2290000002")
    record(resolved_at_first_contact=False, receipt_number="EAC2290000003")
    (row,) = selectors.fcr_report(Inquiry.objects.all(), by="channel")
    assert (row.total, row.resolved_first_time) == (3, 2) and round(row.rate, 2) == 0.67


def test_case_details_by_email_only_after_an_identity_check(record, agent, django_capture_on_commit_callbacks):
    inquiry = record(is_case_specific=True, receipt_number="EAC2290123456")
    with pytest.raises(Conflict) as caught:
        services.inquiry_reply_by_email(actor=agent, inquiry_id=inquiry.pk, body="Your case was approved.")
    assert caught.value.code == "identity_check_required" and "sign in" in caught.value.message
    assert mail.outbox == []
    services.inquiry_record_identity_check(actor=agent, inquiry_id=inquiry.pk, method="A-number and DOB matched")
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_reply_by_email(actor=agent, inquiry_id=inquiry.pk, body="Your case was approved.")
    assert mail.outbox[0].to == ["ana@example.com"] and "approved" in mail.outbox[0].body


def test_general_answers_need_no_identity_check(record, agent, django_capture_on_commit_callbacks):
    inquiry = record(topic="forms_and_fees")
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_reply_by_email(actor=agent, inquiry_id=inquiry.pk, body="The fee is on the form page.")
    assert len(mail.outbox) == 1


def test_file_a_service_request_from_the_inquiry_once(record, agent):
    inquiry = record(receipt_number="LIN2290123456", text="Card never arrived")
    request = services.inquiry_file_service_request(actor=agent, inquiry_id=inquiry.pk, request_type="card_not_received")
    assert request.current_office.code == "NSC" and request.contact_email == "ana@example.com"
    with pytest.raises(Conflict):
        services.inquiry_file_service_request(actor=agent, inquiry_id=inquiry.pk, request_type="card_not_received")
    assert ServiceRequest.objects.count() == 1


def test_customers_cannot_record_and_others_inquiries_are_404(record, maria, chicago_staff):
    with pytest.raises(Forbidden):
        services.inquiry_record(actor=maria, channel="online", topic="other", customer=maria)
    inquiry = record()
    with pytest.raises(NotFound):
        services.inquiry_record_identity_check(actor=chicago_staff, inquiry_id=inquiry.pk, method="x")


def test_fax_number_for_one_case_is_recorded(chicago_staff, agent):
    permission = services.fax_permission_give(actor=chicago_staff, fax_number="312-555-0199",
                                              documents_requested="Birth certificate", receipt_number="CHI2290123456")
    assert permission.office.code == "CHI" and FaxPermission.objects.count() == 1
    with pytest.raises(Forbidden):
        services.fax_permission_give(actor=agent, fax_number="1", documents_requested="x", receipt_number="EAC2290123456")
    with pytest.raises(ApplicationError):
        services.fax_permission_give(actor=chicago_staff, fax_number="1", documents_requested="x")


def test_access_agents_see_their_offices_inquiries(record, agent, other_agent, chicago_staff, maria):
    inquiry = record()
    assert list(selectors.inquiry_list_for_user(other_agent)) == [inquiry]  # same office (NCSC)
    assert not selectors.inquiry_list_for_user(chicago_staff).exists()
    assert not selectors.inquiry_list_for_user(maria).exists()


def test_contact_needed_unless_self_service(agent):
    with pytest.raises(ApplicationError) as caught:
        services.inquiry_record(actor=agent, channel="ncsc_phone", topic="other")
    assert "contact_name" in caught.value.fields


def test_week_boundaries_in_reports(record):
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=ET) - timedelta(days=7), tick=False):
        record(receipt_number="EAC2290000009", resolved_at_first_contact=True)
    record(receipt_number="EAC2290000010")
    weeks = {r.week.date() for r in selectors.fcr_report(Inquiry.objects.all(), by="office")}
    assert len(weeks) == 2
