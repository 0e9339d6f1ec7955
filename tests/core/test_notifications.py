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


def test_a_failed_send_is_pending_again_and_retried_later_with_the_same_message_id(db):
    user = CustomerFactory()
    with transaction.atomic():
        row = queue(user)
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.PENDING, sent_at=None)
    mail.outbox.clear()
    before = timezone.now()
    with mock.patch("core.notifications.email_send", side_effect=ConnectionError("smtp down")):
        with pytest.raises(ConnectionError):
            notifications.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and "smtp down" in row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at >= before + notifications.RETRY_FIRST
    first_id = row.message_id
    assert notifications.notification_deliver(row.pk) is True
    row.refresh_from_db()
    assert row.message_id == first_id and row.next_attempt_at is None
    assert [m.message()["Message-ID"] for m in mail.outbox] == [first_id]


def test_each_row_keeps_one_message_id_for_every_send(db, django_capture_on_commit_callbacks):
    users = [CustomerFactory(), CustomerFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        rows = [queue(user) for user in users]
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == 2 and all(i.startswith("<") and i.endswith(">") for i in ids)
    for row in rows:
        row.refresh_from_db()
    assert [row.message_id for row in rows] == ids


def test_gives_up_after_max_attempts(db):
    user = CustomerFactory()
    row = Notification.objects.create(kind="x", to_email=user.email, subject="s", body="b",
                                      attempts=notifications.MAX_ATTEMPTS - 1)
    with mock.patch("core.notifications.email_send", side_effect=ConnectionError("smtp down")):
        with pytest.raises(ConnectionError):
            notifications.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.next_attempt_at is None


def test_requeue_sends_what_is_owed_and_due_and_holds_stale_claims(db):
    """Changed deliberately: a stale claim used to be re-sent, which sent one e-mail twice when its
    worker had sent it and could not record it. It is held and reported now."""
    now = timezone.now()
    old = now - timedelta(hours=1)
    lost = Notification.objects.create(kind="x", to_email="a@example.com", subject="s", body="b")
    stale = Notification.objects.create(kind="x", to_email="b@example.com", subject="s", body="b",
                                        status=NotificationStatus.SENDING, message_id="<n2@portal.example.gov>")
    fresh = Notification.objects.create(kind="x", to_email="c@example.com", subject="s", body="b")
    retry_due = Notification.objects.create(kind="x", to_email="d@example.com", subject="s", body="b",
                                            next_attempt_at=now - timedelta(seconds=1))
    retry_later = Notification.objects.create(kind="x", to_email="e@example.com", subject="s", body="b",
                                              next_attempt_at=now + timedelta(minutes=5))
    Notification.objects.filter(pk__in=[lost.pk, stale.pk, retry_due.pk, retry_later.pk]).update(
        created_at=old, updated_at=old)
    assert notifications.notifications_requeue(now=now) == 2  # eager tasks: sent now
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "d@example.com"]
    for row in (stale, fresh, retry_later):
        row.refresh_from_db()
    assert (stale.status, fresh.status, retry_later.status) == (
        NotificationStatus.HELD, NotificationStatus.PENDING, NotificationStatus.PENDING)
    assert "Held" in stale.last_error
    assert notifications.notifications_requeue(now=now) == 0  # run twice: nothing more
    assert Notification.objects.filter(status=NotificationStatus.HELD).count() == 1

    assert notifications.notifications_release_held([stale.pk, fresh.pk]) == 1  # an admin's decision
    notifications.notifications_requeue(now=now + timedelta(seconds=1))
    stale.refresh_from_db()
    assert stale.status == NotificationStatus.SENT
    assert mail.outbox[-1].message()["Message-ID"] == "<n2@portal.example.gov>"  # the same Message-ID again


def test_a_broker_that_is_down_at_commit_never_fails_the_change(db, django_capture_on_commit_callbacks, caplog):
    from kombu.exceptions import OperationalError

    user = CustomerFactory()
    with mock.patch("core.tasks.notification_send.delay", side_effect=OperationalError("Connection refused")):
        with django_capture_on_commit_callbacks(execute=True):
            row = queue(user)
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and mail.outbox == []
    assert "left owed for the requeue job" in caplog.text
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert notifications.notifications_requeue() == 1  # the broker is back: it goes out
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_registration_sends_one_email_the_confirmation_that_welcomes(directory, api_client,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v1/auth/register/",
            {"email": "ana@example.com", "password": "correct-horse-battery", "first_name": "Ana", "last_name": "Diaz",
             "zip_code": "60605", "preferred_language": "en"},
            format="json",
        )
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert "Welcome to the USCIS Portal" in mail.outbox[0].body and "/accounts/signup/confirm/" in mail.outbox[0].body
    assert "password" not in mail.outbox[0].body.lower().replace("your password by e-mail", "")
