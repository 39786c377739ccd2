"""The Redis broker transport, with one repair: a worker survives Redis restarting while a task runs.

When the broker connection drops while a task with late acknowledgement runs, Celery 5.7 first collects
the connection (closing the transport, whose ``client`` becomes None) and then closes it again. The second
close makes kombu's Redis channel put the unacknowledged message back, which builds connection parameters
from the transport's ``client`` and raised ``AttributeError: 'NoneType' object has no attribute
'hostname'``. Celery ignores only connection errors at that point, so the worker stopped with
"Unrecoverable error" (and ``scripts/run.sh`` with it). Raising the transport's own connection error
instead lets Celery reconnect; the message stays in Redis's unacknowledged set and comes back after the
visibility timeout, where the runner sees the job finished and does nothing (core/jobs.py).
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
