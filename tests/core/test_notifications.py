from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import notifications
from core.models import Notification, NotificationStatus
from tests.factories import CustomerFactory


def queue(user, **overrides):
    kwargs = {"kind": "account.welcome", "to_email": user.email, "user": user, "template": "core/email/welcome",
              "context": {"first_name": user.first_name}, **overrides}
    return notifications.notification_queue(**kwargs)


def test_queued_notification_is_sent_after_commit_exactly_once(db, django_capture_on_commit_callbacks):
    user = CustomerFactory(first_name="Ana")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = queue(user)
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.sent_at and row.attempts == 1
    assert len(mail.outbox) == 1 and "Hello Ana" in mail.outbox[0].body
    assert notifications.notification_deliver(row.pk) is False  # a redelivered task sends nothing
    assert len(mail.outbox) == 1


def test_the_same_dedupe_key_is_owed_once(db, django_capture_on_commit_callbacks):
    user = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(user, dedupe_key="window1:42")
        second = queue(user, dedupe_key="window1:42")
    assert first is not None and second is None
    assert Notification.objects.filter(dedupe_key="window1:42").count() == 1
    assert len(mail.outbox) == 1


def test_rendered_in_the_customers_language(db, django_capture_on_commit_callbacks):
    user = CustomerFactory(profile__preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        row = queue(user)
    assert row.language == "es"


def test_a_failed_send_is_pending_again_and_retried(db):
    user = CustomerFactory()
    with transaction.atomic():
        row = queue(user)
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.PENDING, sent_at=None)
    mail.outbox.clear()
    with mock.patch("core.notifications.send_mail", side_effect=ConnectionError("smtp down")):
        with pytest.raises(ConnectionError):
            notifications.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and "smtp down" in row.last_error
    assert notifications.notification_deliver(row.pk) is True
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(db):
    user = CustomerFactory()
    row = Notification.objects.create(kind="x", to_email=user.email, subject="s", body="b",
                                      attempts=notifications.MAX_ATTEMPTS - 1)
    with mock.patch("core.notifications.send_mail", side_effect=ConnectionError("smtp down")):
        with pytest.raises(ConnectionError):
            notifications.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED


def test_requeue_sends_what_was_lost_and_releases_stale_claims(db):
    old = timezone.now() - timedelta(hours=1)
    lost = Notification.objects.create(kind="x", to_email="a@example.com", subject="s", body="b")
    stale = Notification.objects.create(kind="x", to_email="b@example.com", subject="s", body="b",
                                        status=NotificationStatus.SENDING)
    fresh = Notification.objects.create(kind="x", to_email="c@example.com", subject="s", body="b")
    Notification.objects.filter(pk__in=[lost.pk, stale.pk]).update(created_at=old, updated_at=old)
    assert notifications.notifications_requeue() == 2  # eager tasks in tests: sent right away
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    fresh.refresh_from_db()
    assert fresh.status == NotificationStatus.PENDING


def test_registration_sends_a_welcome_email(directory, api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v1/auth/register/",
            {"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz",
             "zip_code": "60605", "preferred_language": "en"},
            format="json",
        )
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert "password" not in mail.outbox[0].body.lower().replace("your password by e-mail", "")
