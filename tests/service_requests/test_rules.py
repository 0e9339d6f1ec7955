import pytest

from service_requests import rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("EAC2290123456", "EAC2290123456"), ("eac-22-901-23456", "EAC2290123456"), (" LIN 22 901 23456 ", "LIN2290123456"),
     ("IOE0912345678", "IOE0912345678"), ("WAC22901*3456", "WAC22901*3456")],
)
def test_normalize_receipt(raw, expected):
    assert rules.normalize_receipt(raw) == expected


@pytest.mark.parametrize("raw", ["", "EAC229012345", "EAC22901234567", "E1C2290123456", "2290123456EAC", "EAC22901234S6"])
def test_bad_receipt_numbers(raw):
    with pytest.raises(ValueError, match="3 letters and 10 digits"):
        rules.normalize_receipt(raw)


@pytest.mark.parametrize("case_class", ["vawa", "t_visa", "u_visa"])
def test_change_of_address_is_refused_for_vawa_t_and_u(case_class):
    refusal = rules.refusal_for(request_type="change_of_address", case_class=case_class, receipt_number="EAC2290123456")
    assert "VAWA, T or U" in refusal


def test_change_of_address_is_fine_for_other_cases():
    assert rules.refusal_for(request_type="change_of_address", case_class="standard", receipt_number="EAC2290123456") is None


@pytest.mark.parametrize(("request_type", "needs"), [("outside_processing_time", True), ("card_not_received", True),
                                                     ("accommodation", False), ("other", False)])
def test_receipt_number_needed_for_case_requests(request_type, needs):
    refusal = rules.refusal_for(request_type=request_type, case_class="standard", receipt_number="")
    assert (refusal is not None) is needs
