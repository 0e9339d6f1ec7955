"""The benchmarks' raw-SQL loaders (bench/_common.py) on a few rows of the test database: a NOT NULL column
added without a default, or a renamed one, breaks this suite rather than bench/queue.py and bench/sweep.py."""

from django.db import connection

from bench._common import customers_load, escalations_load
from core.models import CustomerProfile, User
from service_requests.models import Escalation
from service_requests.services import service_request_file

DOMAIN = "@loaders.bench.test"


def test_customers_load_makes_confirmed_customers_with_profiles(db):
    with connection.cursor() as cursor:
        ids = customers_load(cursor, DOMAIN, 5, spanish_every=2)
        assert customers_load(cursor, DOMAIN, 3) != ids  # replaced, not added to
    users = User.objects.filter(email__endswith=DOMAIN)
    assert users.count() == 3
    for user in users:  # the ORM reads every column back; a sign-up still pending could not sign in
        user.full_clean(exclude=["password"])
        assert user.is_active and not user.signup_pending and user.role == "customer"
    assert CustomerProfile.objects.filter(user__in=users, country="US").count() == 3


def test_escalations_load_writes_one_row_per_request(directory):
    with connection.cursor() as cursor:
        customer = User.objects.get(pk=customers_load(cursor, DOMAIN, 1)[0])
    requests = [service_request_file(actor=customer, request_type="outside_processing_time",
                                     receipt_number=f"EAC{n:010d}", description="Bench loader test.")
                for n in range(1, 4)]
    Escalation.objects.all().delete()  # the bench loads these after a TRUNCATE of the requests' rows
    with connection.cursor() as cursor:
        assert escalations_load(cursor, "CASE WHEN now() < w1 THEN 'waiting' ELSE 'window1_open' END") == 3
    rows = {e.request_id: e for e in Escalation.objects.all()}
    assert set(rows) == {r.pk for r in requests}
    for request in requests:
        escalation = rows[request.pk]
        escalation.full_clean(exclude=["request"])
        assert escalation.stage == "waiting" and escalation.window1_opens_at > request.created_at
