"""Request types for views that only a signed-in user reaches.

`@login_required` views, staff-only views and API views behind `IsAuthenticated` annotate their
request with these, so the type checker knows `request.user` is a `User` (not `AnonymousUser`).
At run time they are the ordinary request classes.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

from .models import User

if TYPE_CHECKING:
    class AuthenticatedHttpRequest(HttpRequest):
        user: User

    class AuthenticatedRequest(Request):
        @property
        def user(self) -> User: ...

        @user.setter
        def user(self, value: User) -> None: ...
else:
    AuthenticatedHttpRequest = HttpRequest
    AuthenticatedRequest = Request
