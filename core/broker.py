"""Kombu's Redis transport, made to outlive a broker that drops while a task holds its message.

With acks_late a worker acknowledges a message after its task has run. When Redis drops while the
task runs, the consumer throws its connection away and reconnects; the task then finishes and acks
on a channel whose connection is gone; and closing that channel tries to hand its unacknowledged
messages back. Both fail inside kombu's Redis transport with `AttributeError: 'NoneType' object has
no attribute 'hostname'` (it rebuilds a connection pool from a transport that no longer has a
client). Celery expects connection errors there, not an AttributeError, so the worker exits
("Unrecoverable error") and delivery stops until something restarts it.

Here those calls raise the transport's own connection error instead, which Celery logs and carries
on from: the worker reconnects when Redis is back. A message that could not be acknowledged stays in
Redis's unacknowledged set and comes back after the visibility timeout; its task finds the e-mail
sent already (core.notifications) and sends nothing twice. Owed e-mails whose messages were lost are
enqueued again by the re-send job (notifications_requeue).

Selected by settings.CELERY_BROKER_TRANSPORT for redis:// and rediss:// broker URLs.
"""

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

GONE = "the broker connection is gone (Redis is down or the worker is reconnecting)"


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        # Every use of Redis from a channel (ack, reject, restoring unacknowledged messages on
        # close, reading) builds its connection pool from here: a transport whose client was
        # collected is a lost connection, and says so with the error Celery handles.
        transport = self.connection
        if transport is None or getattr(transport, "client", None) is None:
            raise RedisConnectionError(GONE)
        return dict(super()._connparams(asynchronous=asynchronous))


class Transport(kombu_redis.Transport):
    Channel = Channel
