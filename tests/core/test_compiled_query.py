"""The session's user is read by a query compiled once (core.db.CompiledQuery): the same user, the same
protected-case answer, one statement, and nobody for an unknown or deactivated account."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import access
from core.auth_backends import UsernameOrEmailBackend, user_query
from offices.models import Office
from tests.auth import sign_in
from tests.factories import CustomerFactory, StaffFactory


@pytest.mark.parametrize("who", ["customer", "staff", "staff granted protected", "staff in a group granted it"])
def test_the_sessions_user_is_the_orms_in_one_statement(directory, who):
    if who == "customer":
        user = CustomerFactory()
    else:
        user = StaffFactory(office=Office.objects.get(code="VSC"))
        permission = Permission.objects.get(codename="view_protected")
        if who == "staff granted protected":
            user.user_permissions.add(permission)
        elif who.endswith("group granted it"):
            from django.contrib.auth.models import Group

            group = Group.objects.create(name="protected cases")
            group.permissions.add(permission)
            user.groups.add(group)
    with CaptureQueriesContext(connection) as queries:
        loaded = UsernameOrEmailBackend().get_user(user.pk)
    assert len(queries) == 1 and loaded is not None
    (expected,) = user_query.build(user.pk)
    fields = [f.attname for f in type(user)._meta.concrete_fields]
    assert [getattr(loaded, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert getattr(loaded, access.PROTECTED_ATTR) is getattr(expected, access.PROTECTED_ATTR) is (
        who.startswith("staff") and who != "staff")


def test_nobody_for_an_unknown_or_deactivated_account_and_the_page_sends_them_to_sign_in(directory, client):
    user = CustomerFactory()
    assert UsernameOrEmailBackend().get_user(user.pk + 10_000) is None
    sign_in(client, user)
    assert client.get("/dashboard/").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert UsernameOrEmailBackend().get_user(user.pk) is None
    assert client.get("/dashboard/").status_code == 302
