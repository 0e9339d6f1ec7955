"""Sign-up answers the same for known and unknown addresses (issue 12): a new address gets an
inactive account and a confirmation link; a known one gets nothing created and its owner an e-mail."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.models import Notification, User
from core.signup import LINK_INVALID
from tests.auth import confirmation_link, sign_up, sign_up_and_confirm
from tests.factories import CustomerFactory
from tests.factories.core import PASSWORD

NEW = {"password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz", "zip_code": "60605"}
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def known(directory):  # type: ignore[no-untyped-def]
    return CustomerFactory(email="owner@example.com", username="owner@example.com", first_name="Olga")


def _api_sign_up(email: str, django_capture_on_commit_callbacks, **extra):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return APIClient().post("/api/v1/auth/register/", {**NEW, "email": email, **extra}, format="json")


def _web_sign_up(email: str, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/accounts/signup/", {**NEW, "email": email, "preferred_language": "en"})
    return posted, client.get(posted["Location"])


def test_api_answers_byte_for_byte_the_same_for_a_known_and_a_new_address(known, django_capture_on_commit_callbacks):
    answers = [_api_sign_up(email, django_capture_on_commit_callbacks)
               for email in ("owner@example.com", "newcomer@example.com", "OWNER@example.com")]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].content == answers[1].content == answers[2].content
    assert "Check your e-mail" in answers[0].json()["detail"]
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    known.refresh_from_db()
    assert known.check_password(PASSWORD) and known.is_active  # nothing about the owner's account changed


def test_web_answers_the_same_page_for_a_known_and_a_new_address(known, django_capture_on_commit_callbacks):
    (known_post, known_page), (new_post, new_page) = (
        _web_sign_up(email, django_capture_on_commit_callbacks) for email in ("owner@example.com", "new@example.com"))
    assert known_post.status_code == new_post.status_code == 302
    assert known_post["Location"] == new_post["Location"] == "/accounts/signup/sent/"
    assert known_page.status_code == new_page.status_code == 200
    assert CSRF.sub(b"", known_page.content) == CSRF.sub(b"", new_page.content)
    assert "Check your e-mail" in new_page.content.decode()


def test_the_owner_is_told_once_an_hour_with_links_to_sign_in_and_reset(known, django_capture_on_commit_callbacks):
    for _ in range(3):
        _api_sign_up("owner@example.com", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    body = mail.outbox[0].body
    assert "Someone tried to create" in mail.outbox[0].subject
    assert "/accounts/login/" in body and "/accounts/password-reset/" in body
    assert "/accounts/signup/confirm/" not in body
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=False):
        _api_sign_up("owner@example.com", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_a_new_address_gets_one_confirmation_email_and_no_welcome_besides(directory, django_capture_on_commit_callbacks):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert "/accounts/signup/confirm/" in mail.outbox[0].body and "3 days" in mail.outbox[0].body
    user = User.objects.get(email="ana@example.com")
    assert not user.is_active and user.signup_pending
    assert not Notification.objects.filter(kind="account.welcome").exists()


def test_the_unconfirmed_account_gets_no_token_and_no_session(directory, django_capture_on_commit_callbacks):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    token = APIClient().post("/api/v1/auth/token/", {"username": "ana@example.com", "password": NEW["password"]})
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "ana@example.com", "password": "not-the-password"})
    assert token.status_code == wrong.status_code == 400 and token.content == wrong.content
    web = Client()
    page = web.post("/accounts/login/", {"username": "ana@example.com", "password": NEW["password"]})
    assert page.status_code == 200 and "_auth_user_id" not in web.session
    web.force_login(User.objects.get(email="ana@example.com"))  # even a session made for it is not honoured
    assert web.get("/dashboard/").status_code == 302


def test_the_web_link_confirms_once_signs_in_and_lands_on_the_dashboard(directory, django_capture_on_commit_callbacks):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    uid, token = confirmation_link("ana@example.com")
    web = Client()
    link = f"/accounts/signup/confirm/{uid}/{token}/"
    opened = web.get(link)  # opening the link (or a mail scanner doing so) confirms nothing
    assert opened.status_code == 200 and "Confirm and sign in" in opened.content.decode()
    assert User.objects.get(email="ana@example.com").signup_pending
    confirmed = web.post(link)
    assert confirmed.status_code == 302 and confirmed["Location"] == "/dashboard/"
    assert web.get("/dashboard/").status_code == 200
    user = User.objects.get(email="ana@example.com")
    assert user.is_active and not user.signup_pending
    again = Client().post(link)
    assert again.status_code == 400 and "not valid" in again.content.decode()
    api_again = APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert api_again.status_code == 400 and api_again.json() == {"token": [str(LINK_INVALID)]}
    assert APIClient().post("/api/v1/auth/token/", {"username": "ana@example.com",
                                                    "password": NEW["password"]}).status_code == 200


@pytest.mark.parametrize("mangle", [
    lambda uid, token: (uid, token[:-1] + ("0" if token[-1] != "0" else "1")),
    lambda uid, token: ("OTk5OTk5OTk", token),  # user 999999999: no such account
    lambda uid, token: ("!!", token),
    lambda uid, token: (uid, "nonsense"),
])
def test_a_tampered_link_is_refused_with_a_clear_message(directory, django_capture_on_commit_callbacks, mangle):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    uid, token = mangle(*confirmation_link("ana@example.com"))
    response = APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert response.status_code == 400 and response.json() == {"token": [str(LINK_INVALID)]}
    assert "sign up again" in str(LINK_INVALID)
    assert Client().get(f"/accounts/signup/confirm/{uid}/{token}/").status_code == 400
    assert User.objects.get(email="ana@example.com").signup_pending


def test_the_link_expires_after_3_days(directory, django_capture_on_commit_callbacks):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    uid, token = confirmation_link("ana@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1), tick=False):
        late = APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert late.status_code == 400 and late.json() == {"token": [str(LINK_INVALID)]}
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23), tick=False):
        in_time = APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert in_time.status_code == 200


def test_signing_up_again_while_unconfirmed_sends_a_new_link_and_the_old_one_dies(directory,
                                                                              django_capture_on_commit_callbacks):
    first = _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    old_uid, old_token = confirmation_link("ana@example.com")
    second = _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)
    assert first.content == second.content
    assert [m.to for m in mail.outbox] == [["ana@example.com"], ["ana@example.com"]]
    uid, token = confirmation_link("ana@example.com")
    assert token != old_token and User.objects.filter(email="ana@example.com").count() == 1
    stale = APIClient().post("/api/v1/auth/register/confirm/", {"uid": old_uid, "token": old_token}, format="json")
    assert stale.status_code == 400 and stale.json() == {"token": [str(LINK_INVALID)]}
    fresh = APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token}, format="json")
    assert fresh.status_code == 200


def test_a_squatter_who_signs_up_first_with_someone_elses_address_cannot_sign_in_as_them(
        directory, django_capture_on_commit_callbacks):
    """Pre-account hijacking: the squatter signs up with the owner's address and a password of their own;
    the owner then signs up and confirms with the link they get. The account is the owner's: their
    password, name and ZIP code; the squatter's password and link open nothing."""
    squatter = {"password": "squatters-own-secret", "first_name": "Eve", "last_name": "Squat", "zip_code": "10001"}
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks, **squatter)
    squatter_uid, squatter_token = confirmation_link("ana@example.com")  # went to the owner's mailbox
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks)  # the owner, with NEW
    uid, token = confirmation_link("ana@example.com")
    assert APIClient().post("/api/v1/auth/register/confirm/", {"uid": squatter_uid, "token": squatter_token},
                            format="json").status_code == 400
    assert APIClient().post("/api/v1/auth/register/confirm/", {"uid": uid, "token": token},
                            format="json").status_code == 200
    user = User.objects.get(email="ana@example.com")
    assert (user.first_name, user.last_name, user.profile.zip_code) == ("Ana", "Diaz", "60605")
    assert user.check_password(NEW["password"]) and not user.check_password(squatter["password"])
    signing_in = APIClient()
    assert signing_in.post("/api/v1/auth/token/", {"username": "ana@example.com",
                                                   "password": squatter["password"]}).status_code == 400
    assert signing_in.post("/api/v1/auth/token/", {"username": "ana@example.com",
                                                   "password": NEW["password"]}).status_code == 200


def test_sign_ups_for_one_address_are_limited_whatever_the_client_address(directory, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.PORTAL_SIGNUP_ACCOUNT_LIMIT = 2
    answers = []
    for n in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
                "/api/v1/auth/register/", {**NEW, "email": "ana@example.com"}, format="json").status_code)
    assert answers == [202, 202, 429]
    web = Client(REMOTE_ADDR="198.51.100.9").post("/accounts/signup/", {**NEW, "email": "ANA@example.com",
                                                                        "preferred_language": "en"})
    assert web.status_code == 429
    assert len(mail.outbox) == 2  # one confirmation per sign-up that was let through
    assert _api_sign_up("someone-else@example.com", django_capture_on_commit_callbacks).status_code == 202


def test_an_account_an_admin_deactivated_is_not_reopened_by_signing_up(directory, django_capture_on_commit_callbacks):
    CustomerFactory(email="gone@example.com", username="gone@example.com", is_active=False)
    _api_sign_up("gone@example.com", django_capture_on_commit_callbacks)
    assert "Someone tried to create" in mail.outbox[0].subject
    assert not User.objects.get(email="gone@example.com").is_active


def test_input_errors_stay_400_with_field_errors_for_known_addresses_too(known):
    response = APIClient().post("/api/v1/auth/register/", {**NEW, "email": "owner@example.com", "zip_code": "ABCDE"},
                                format="json")
    assert response.status_code == 400 and "zip_code" in response.json()


def test_the_helper_signs_up_and_confirms_through_the_email(directory):
    account = sign_up_and_confirm({**NEW, "email": "Ana@Example.com"})
    assert account["email"] == "ana@example.com"
    assert sign_up({**NEW, "email": "ana@example.com"}).json()["detail"]  # known now: the same 202


def test_spanish(directory, django_capture_on_commit_callbacks):
    _api_sign_up("ana@example.com", django_capture_on_commit_callbacks, preferred_language="es")
    assert "Confirme" in mail.outbox[0].subject
    with translation.override("es"):
        page = Client().get("/accounts/signup/sent/", HTTP_ACCEPT_LANGUAGE="es")
        refused = Client().get("/accounts/signup/confirm/MQ/nonsense/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Revise su correo" in page.content.decode()
    assert "no es válido" in refused.content.decode()


def test_pending_sign_ups_go_a_day_after_their_links_expire_and_nothing_else_does(
        directory, django_capture_on_commit_callbacks):
    from core.models import AuditEvent
    from core.signup import signups_expired_purge
    from core.tasks import signups_expired_purge as purge_task

    started = timezone.now()
    _api_sign_up("old@example.com", django_capture_on_commit_callbacks)
    old_pk = User.objects.get(email="old@example.com").pk
    _api_sign_up("again@example.com", django_capture_on_commit_callbacks)
    sign_up_and_confirm({**NEW, "email": "open@example.com"})
    CustomerFactory(email="gone@example.com", username="gone@example.com", is_active=False)
    with time_machine.travel(started + timedelta(days=3, hours=12), tick=False):
        _api_sign_up("again@example.com", django_capture_on_commit_callbacks)  # signed up again: counts from now
    with time_machine.travel(started + timedelta(days=3, hours=23), tick=False):
        assert signups_expired_purge() == 0  # the links expired, the day of grace has not passed
    with time_machine.travel(started + timedelta(days=4, minutes=1), tick=False):
        assert purge_task.delay().get() == 1
        assert signups_expired_purge() == 0  # a second run changes nothing
    assert set(User.objects.values_list("email", flat=True)) >= {"again@example.com", "open@example.com",
                                                                  "gone@example.com"}
    assert not User.objects.filter(email="old@example.com").exists()
    assert AuditEvent.objects.filter(action="account.signup_expired", target_id=str(old_pk)).count() == 1
    _api_sign_up("old@example.com", django_capture_on_commit_callbacks)  # the address is free to sign up again
    assert User.objects.get(email="old@example.com").signup_pending


def test_a_pending_account_something_refers_to_is_left(directory, django_capture_on_commit_callbacks):
    from core.signup import signups_expired_purge
    from offices.models import Office
    from service_requests.models import ServiceRequest

    _api_sign_up("held@example.com", django_capture_on_commit_callbacks)
    _api_sign_up("free@example.com", django_capture_on_commit_callbacks)
    held = User.objects.get(email="held@example.com")
    ServiceRequest.objects.create(customer=held, reference_number="SR-PURGE-1", request_type="notice_not_received",
                                  channel="phone", description="Called before confirming",
                                  current_office=Office.objects.get(code="NBC"))
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        assert signups_expired_purge() == 1
    assert set(User.objects.filter(signup_pending=True).values_list("email", flat=True)) == {"held@example.com"}
