from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core import access
from core.middleware import SECOND_FACTOR_REQUIRED


class SignedInWithSecondFactorForStaff(BasePermission):
    """The API's default: signed in, and for staff and admins, with the second factor (a verified
    session, or a token, which staff obtain only with a code)."""

    message = SECOND_FACTOR_REQUIRED

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return access.second_factor_done(user, request.auth)
