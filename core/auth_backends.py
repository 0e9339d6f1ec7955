from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from .models import User


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
