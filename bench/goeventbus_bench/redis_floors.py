"""The Redis store's floors: the same work done with bare redis-py on the same server.

``redis-py RPUSH/LPOP`` is the least a bus on Redis does per event: serialize it,
``RPUSH`` it (one round trip), ``LPOP`` it (another), deserialize it, look up the
handler and call it. ``redis-py pipelined RPUSH`` is the least a batch subscribe
does: the same events pushed in one pipelined round trip. The server is the one the
harness started for the run (``GOEVENTBUS_REDIS_URL``).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from goeventbus_bench.cases import BACKGROUND, EVENT, PROJECTION, handler
from goeventbus_bench.registry import Params, body
from goeventbus_bench.team import across_processes
from goeventbus_bench.timing import perf_counter

ROUND_TRIP = "redis-py RPUSH/LPOP"
PIPELINED = "redis-py pipelined RPUSH"
NAMES = (ROUND_TRIP, PIPELINED)
URL_ENV = "GOEVENTBUS_REDIS_URL"
DEFAULT_URL = "redis://localhost:6379/0"


def _client() -> Any:
    import redis  # the harness runs without it when no Redis subject is measured

    return redis.Redis.from_url(os.environ.get(URL_ENV) or DEFAULT_URL)


def _encode() -> str:
    return json.dumps({"id": EVENT.id, "projection": EVENT.projection, "args": EVENT.args})


def _round_trips(client: Any, key: str, batch: int) -> Callable[[int], None]:
    """``work(loops)``: push a batch one round trip each, then pop and dispatch each."""
    push, pop, table, ctx = client.rpush, client.lpop, {PROJECTION: handler}, BACKGROUND

    def work(loops: int) -> None:
        for _ in range(loops):
            for _ in range(batch):
                push(key, _encode())
            for _ in range(batch):
                event = json.loads(pop(key))
                table[event["projection"]](ctx, event["args"])

    return work


@body("Subscribe", ROUND_TRIP)
def rpush(loops: int, _: Any, params: Params) -> float:
    client, key = _client(), f"floor:{uuid.uuid4().hex}"
    push = client.rpush
    started = perf_counter()
    for _ in range(loops):
        push(key, _encode())
    elapsed = perf_counter() - started
    client.delete(key)
    return elapsed


@body("EnqueueDispatch", ROUND_TRIP)
def rpush_lpop(loops: int, _: Any, params: Params) -> float:
    client = _client()
    work = _round_trips(client, f"floor:{uuid.uuid4().hex}", params.sizes.batch)
    started = perf_counter()
    work(loops)
    return perf_counter() - started


def _member_round_trips(key: str, batch: int) -> Callable[[int], None]:
    return _round_trips(_client(), key, batch)


@body("EnqueueDispatch/Processes", ROUND_TRIP)
def rpush_lpop_processes(loops: int, _: Any, params: Params) -> float:
    factory = partial(_member_round_trips, f"floor:{uuid.uuid4().hex}", params.sizes.batch)
    return across_processes(params.workers, loops, ROUND_TRIP, factory)


@body("SubscribeMany", PIPELINED)
def pipelined_rpush(loops: int, _: Any, params: Params) -> float:
    client, key, many = _client(), f"floor:{uuid.uuid4().hex}", params.sizes.many
    started = perf_counter()
    for _ in range(loops):
        with client.pipeline(transaction=False) as pipe:
            for _ in range(many):
                pipe.rpush(key, _encode())
            pipe.execute()
    elapsed = perf_counter() - started
    client.delete(key)
    return elapsed
