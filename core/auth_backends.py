from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Q, QuerySet
from django.http import HttpRequest

from . import access
from .db import CompiledQuery
from .models import User


def _user_with_protected(user_id: Any) -> QuerySet[User]:
    return User._default_manager.annotate(**{
        access.PROTECTED_ATTR: access.protected_permission_exists(OuterRef("pk"))}).filter(pk=user_id)


# The session's user on every signed-in page: compiled once (core.db.CompiledQuery). The placeholder is a
# key no account has; get_user is given the session's key already converted by the primary key's to_python.
user_query = CompiledQuery(_user_with_protected, placeholder=-(2**62) - 7)


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with a username (staff) or an e-mail address (customers), case-insensitively."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        login = (username or kwargs.get("email") or "").strip()
        if not login or password is None:
            return None
        user = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).order_by("id").first()
        if user is None:
            User().set_password(password)  # spend the same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, with whether they hold the protected-case permission (core.access) read in the
        same query, compiled once: the staff pages ask on every request."""
        found = user_query(user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
