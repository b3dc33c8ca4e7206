"""Servers the measured subjects need: a private redis-server for the Redis store and its floors.

A run that measures a subject on Redis gets its own server on a free loopback port
for the whole run (never the machine's shared one, whose other users would be in the
figures), unless ``GOEVENTBUS_REDIS_URL`` already names one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator

from goeventbus_bench.redis_floors import URL_ENV
from goeventbus_bench.subjects import Subject


@contextlib.contextmanager
def servers_for(subjects: Iterable[Subject]) -> Iterator[None]:
    if os.environ.get(URL_ENV) or not any(subject.needs_redis for subject in subjects):
        yield
        return
    from goeventbus_variants.redisstore.server import RedisServer

    with RedisServer() as server:
        print(f"private redis-server for this run at {server.url}", file=sys.stderr)
        os.environ[URL_ENV] = server.url
        try:
            yield
        finally:
            del os.environ[URL_ENV]
