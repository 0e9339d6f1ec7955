from core.models import User
from tests.auth import confirmation_link, sign_in
from tests.factories import CustomerFactory
from tests.factories.core import PASSWORD
from tests.html import assert_accessible_outline


def test_sign_up_on_the_web_then_the_link_signs_the_customer_in(directory, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"first_name": "Ana", "last_name": "Diaz", "email": "ana@example.com", "password": "correct-horse-battery",
             "zip_code": "77067", "country": "", "preferred_language": "en"},
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    assert client.get("/accounts/profile/").status_code == 302  # not signed in before the link
    uid, token = confirmation_link("ana@example.com")
    assert client.post(f"/accounts/signup/confirm/{uid}/{token}/")["Location"] == "/dashboard/"
    page = client.get("/accounts/profile/").content.decode()
    assert "Ana Diaz" in page and "?zip=77067" in page


def test_sign_up_errors_are_shown_by_their_fields(directory, client):
    response = client.post(
        "/accounts/signup/",
        {"first_name": "Ana", "last_name": "Diaz", "email": "ana@example.com", "password": "correct-horse-battery",
         "zip_code": "", "country": "", "preferred_language": "en"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give your U.S. ZIP code" in html and 'id="id_zip_code_error"' in html
    assert_accessible_outline(html)
    assert not User.objects.filter(email="ana@example.com").exists()


def test_sign_in_with_email_and_sign_out(directory, client):
    user = CustomerFactory()
    response = client.post("/accounts/login/", {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 302  # back to sign-in


def test_wrong_password_stays_on_the_form(directory, client):
    user = CustomerFactory()
    response = client.post("/accounts/login/", {"username": user.email, "password": "nope-nope-nope"})
    assert response.status_code == 200 and "correct" in response.content.decode()


def test_profile_update_on_the_web(directory, client):
    user = CustomerFactory()
    sign_in(client, user)
    response = client.post("/accounts/profile/", {"zip_code": "", "country": "CA", "preferred_language": "es"})
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert (user.profile.country.code, user.profile.preferred_language) == ("CA", "es")
    response = client.post("/accounts/profile/", {"zip_code": "nope", "country": "", "preferred_language": "en"})
    assert response.status_code == 400
