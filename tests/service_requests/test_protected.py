"""Protected cases (VAWA, T, U; 8 U.S.C. § 1367): visible only to staff with the permission at their
office, and their e-mails say only "sign in"."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from core.models import User
from service_requests import services
from tests.auth import api_for, sign_in


@pytest.fixture
def protected(file_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return file_request(case_class="u_visa", receipt_number="EAC2290999999")


def grant(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_protected"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def test_staff_without_the_permission_do_not_see_a_protected_request(protected, vsc_staff, client):
    api = api_for(vsc_staff)
    assert protected.reference_number not in str(api.get("/api/v1/service-requests/").json())
    assert api.get(f"/api/v1/service-requests/{protected.reference_number}/").status_code == 404
    assert api.post(f"/api/v1/service-requests/{protected.reference_number}/responses/", {"body": "x"},
                    format="json").status_code == 404
    sign_in(client, vsc_staff)
    assert protected.reference_number not in client.get("/staff/service-requests/").content.decode()
    assert client.get(f"/service-requests/{protected.reference_number}/").status_code == 404


def test_staff_with_the_permission_at_its_office_see_it(protected, vsc_staff, nsc_staff, client):
    vera = grant(vsc_staff)
    assert api_for(vera).get(f"/api/v1/service-requests/{protected.reference_number}/").status_code == 200
    sign_in(client, vera)
    assert protected.reference_number in client.get("/staff/service-requests/").content.decode()
    nora = grant(nsc_staff)  # the permission, but another office
    assert api_for(nora).get(f"/api/v1/service-requests/{protected.reference_number}/").status_code == 404


def test_the_permission_is_read_with_the_user_on_every_request_directly_or_through_a_group(protected, vsc_staff,
                                                                                         client):
    """Both doors read the permission in the query that loads the request's user (the session's, or the
    token's): a grant or a revocation, direct or through a group, shows on the very next request."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(vsc_staff)
    sign_in(client, vsc_staff)
    reference = protected.reference_number

    def seen() -> tuple[bool, bool]:
        return (reference in api.get("/api/v1/service-requests/").content.decode(),
                reference in client.get("/staff/service-requests/").content.decode())

    assert seen() == (False, False)
    group = Group.objects.create(name="Protected cases")
    group.permissions.add(Permission.objects.get(codename="view_protected"))
    vsc_staff.groups.add(group)
    assert seen() == (True, True)
    vsc_staff.groups.remove(group)
    assert seen() == (False, False)
    vsc_staff.user_permissions.add(Permission.objects.get(codename="view_protected"))
    assert seen() == (True, True)
    for get in (lambda: api.get("/api/v1/service-requests/"), lambda: client.get("/staff/service-requests/")):
        with CaptureQueriesContext(connection) as ctx:
            get()
        assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT 1 AS "a" FROM "auth_permission"')]
        assert len([q for q in ctx.captured_queries if 'FROM "auth_permission"' in q["sql"]]) == 1
    vsc_staff.user_permissions.clear()
    assert seen() == (False, False)


def test_the_customer_still_sees_their_own(protected, maria):
    assert api_for(maria).get(f"/api/v1/service-requests/{protected.reference_number}/").status_code == 200


def test_protected_emails_say_only_sign_in(protected, vsc_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_respond(actor=grant(vsc_staff), reference_number=protected.reference_number,
                                         body="Your U visa petition is being reviewed.")
    assert len(mail.outbox) == 2  # filed, responded
    for message in mail.outbox:
        text = message.subject + message.body
        assert "sign in" in text.lower() or "Sign in" in text
        for secret in (protected.reference_number, "U visa", "Maria", "Vermont", "reviewed"):
            assert secret not in text, (secret, text)


def test_ordinary_emails_keep_their_reference(file_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file_request()
    assert request.reference_number in mail.outbox[0].subject + mail.outbox[0].body


def test_the_sweeps_window_email_for_a_protected_request_says_only_sign_in(file_request):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Notification
    from service_requests.sweep import escalation_sweep

    protected = file_request(case_class="t_visa", receipt_number="EAC2290888888")
    ordinary = file_request(receipt_number="EAC2290777777")
    escalation_sweep(now=timezone.now() + timedelta(days=60))
    rows = {n.dedupe_key.rsplit(":", 1)[1]: n.template for n in Notification.objects.filter(
        kind="service_request.window1_open")}
    assert rows[str(protected.pk)] == "service_requests/email/protected"
    assert rows[str(ordinary.pk)] == "service_requests/email/window1_open"
