import pytest

from inquiries import services

pytestmark = pytest.mark.django_db


def test_misconduct_overridden_away_then_back_is_misconduct_again(record, agent):
    """The OSI / DHS OIG referral must come back with the complaint triage."""
    inquiry = record(topic="other", misconduct_alleged=True, triage_override="standard",
                     override_reason="Caller withdrew the allegation")
    assert (inquiry.suggested_triage, inquiry.triage, inquiry.complaint_kind) == ("complaint", "standard", "")
    inquiry = services.inquiry_override_triage(actor=agent, inquiry_id=inquiry.pk, triage="complaint",
                                               reason="Caller repeated the allegation")
    assert (inquiry.triage, inquiry.complaint_kind) == ("complaint", "misconduct")


@pytest.mark.parametrize(("case_specific", "kind"), [(True, "case_specific"), (False, "non_case_specific")])
def test_override_to_complaint_without_misconduct_keeps_the_case_kind(record, agent, case_specific, kind):
    inquiry = record(topic="other", is_case_specific=case_specific)
    inquiry = services.inquiry_override_triage(actor=agent, inquiry_id=inquiry.pk, triage="complaint", reason="Upset")
    assert (inquiry.triage, inquiry.complaint_kind) == ("complaint", kind)
