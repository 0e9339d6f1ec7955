"""Every page of the staff roles' work in a real browser, as a phone and a desktop show it, in English
and Spanish: at 320 and 375 px nothing scrolls sideways (a wide table scrolls inside its own
container, not the page); axe finds no violations at 375 and 1280 px. The pages are those each role's
navigation links to (test_frame.py checks the menu itself), and the deeper pages of the work: a service
request's detail with its response forms, the queue with a filter applied. The public pages are
checked in test_public_pages.py and test_frame.py. Each page leaves a screenshot under var/screenshots/.
"""

from typing import cast

import pytest
from playwright.sync_api import Page, expect

from core import navigation
from core.models import Role, User
from offices.models import Office
from service_requests import services
from tests.browser.conftest import axe_report, heading, sign_in
from tests.browser.test_frame import DESKTOP, NARROW, PHONE, shot, sideways_scroll, use_language
from tests.factories import CustomerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser

STAFF_ROLES = [Role.NCSC_TIER1, Role.NCSC_TIER2, Role.OFFICE_STAFF, Role.HQ_OSCO, Role.ADMIN]
# Checked elsewhere (the public frame), or not ours to lay out (Django's admin site).
ELSEWHERE = ("/offices/", "/contact/", "/agencies/", "/admin/")


def staff_member(role: Role):  # type: ignore[no-untyped-def]
    if role == Role.OFFICE_STAFF:
        return StaffFactory(username="vsc.staff", office=Office.objects.get(code="VSC"))
    office = "NCSC" if role in (Role.NCSC_TIER1, Role.NCSC_TIER2) else "OSCO" if role == Role.HQ_OSCO else None
    return UserFactory(username=role.replace("_", "."), role=role, is_staff=role == Role.ADMIN,
                       is_superuser=role == Role.ADMIN, office=Office.objects.get(code=office) if office else None)


def pages_of(role: Role, user) -> list[str]:  # type: ignore[no-untyped-def]
    customer = cast(User, CustomerFactory(username="pat@example.com", profile__zip_code="60605"))
    filed = services.service_request_file(actor=customer, request_type="outside_processing_time",
                                          receipt_number="EAC2290123456",
                                          description="My case is past the posted processing time.")
    paths = [link.url for link in navigation.navigation_for(user).links()
             if not link.url.startswith(ELSEWHERE)]
    if role in (Role.OFFICE_STAFF, Role.ADMIN):
        paths += [f"/service-requests/{filed.reference_number}/", "/staff/service-requests/?type=outside_processing_time"]
    return paths


@pytest.mark.parametrize("role", STAFF_ROLES, ids=[r.value for r in STAFF_ROLES])
def test_every_page_of_the_staff_work_fits_a_phone_and_passes_axe_in_both_languages(page: Page, live_server, role):
    user = staff_member(role)
    paths = pages_of(role, user)
    assert paths, f"{role} has no pages of its own"
    sign_in(page, user.username)
    violations: dict[str, str] = {}
    for lang in ("en", "es"):
        use_language(page, live_server, lang)
        for path in paths:
            page.set_viewport_size(NARROW)
            answer = page.goto(path)
            assert answer is not None and answer.status == 200, f"{role} {lang} {path}: {answer and answer.status}"
            expect(heading(page)).to_be_visible()
            # One load per page and language; the layout follows each width as the window is resized.
            for size, name in ((NARROW, "320"), (PHONE, "375"), (DESKTOP, "1280")):
                page.set_viewport_size(size)
                if name != "1280":
                    assert sideways_scroll(page) <= 0, f"{role} {lang}: {path} scrolls sideways at {name} px"
                if name == "375":
                    shot(page, f"staff-{role}-{lang}-{name}-{path.strip('/').replace('/', '-')}")
                if name != "320" and (report := axe_report(page)):
                    violations[f"{lang} {name} {path}"] = report
    assert not violations, "\n\n".join(f"{where}:\n{report}" for where, report in violations.items())
