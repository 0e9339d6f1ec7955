"""`Idempotency-Key` support for API actions that create something (booking, filing).

Usage in a viewset: `return idempotent(request, lambda: self._do_create(request))`. Without the
header the action runs as usual.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError, Conflict
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
KEY_TOO_LONG = _("The Idempotency-Key header must be at most 255 characters.")


def _request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request: Request, action: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER, "").strip()
    if not key or not request.user.is_authenticated:
        return action()
    if len(key) > 255:
        raise ApplicationError(str(KEY_TOO_LONG), code="idempotency_key_invalid")
    digest = _request_hash(request)
    record: IdempotencyRecord | None
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user, key=key, endpoint=request.path[:200], request_hash=digest
            )
            response = action()  # an exception here rolls back the record too: the key stays unused
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = response.data
            record.save(update_fields=["response_status", "response_body"])
            return response
    except IntegrityError:
        # Either another request with this key committed first (replay its answer), or the action
        # itself broke a constraint (re-raise: that is not ours to hide).
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is None:
            raise
    if record.request_hash != digest:
        raise Conflict(str(KEY_REUSED), code="idempotency_key_reused")
    replay = Response(record.response_body, status=record.response_status)
    replay["Idempotent-Replayed"] = "true"
    return replay
