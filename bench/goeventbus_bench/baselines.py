"""Baselines: the same work as the store cases with nothing of a store around it.

``floor`` (a direct handler call) is what every figure is divided by; ``dict+call``
adds the projection lookup; the two queues add an enqueue and a dequeue, which is
the least a buffered bus can do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

from goeventbus_bench.cases import ARGS, BACKGROUND, EVENT, PROJECTION, handler
from goeventbus_bench.registry import Params, body
from goeventbus_bench.timing import perf_counter

NAMES = ("floor", "dict+call", "collections.deque", "queue.SimpleQueue")


@body("Deliver", "floor")
def floor(loops: int, _: Any, params: Params) -> float:
    handle, ctx, args = handler, BACKGROUND, ARGS
    started = perf_counter()
    for _ in range(loops * params.sizes.batch):
        handle(ctx, args)
    return perf_counter() - started


@body("Deliver", "dict+call")
def dict_call(loops: int, _: Any, params: Params) -> float:
    table: dict[Any, Any] = {PROJECTION: handler}
    ctx, event = BACKGROUND, EVENT
    started = perf_counter()
    for _ in range(loops * params.sizes.batch):
        table[event.projection](ctx, event.args)
    return perf_counter() - started


def _enqueue_then_dispatch(
    loops: int, params: Params, put: Callable[[Any], None], get: Callable[[], Any]
) -> float:
    table: dict[Any, Any] = {PROJECTION: handler}
    ctx, event, batch = BACKGROUND, EVENT, params.sizes.batch
    started = perf_counter()
    for _ in range(loops):
        for _ in range(batch):
            put(event)
        for _ in range(batch):
            item = get()
            table[item.projection](ctx, item.args)
    return perf_counter() - started


@body("EnqueueDispatch", "collections.deque")
def deque_enqueue_dispatch(loops: int, _: Any, params: Params) -> float:
    queue: deque[Any] = deque()
    return _enqueue_then_dispatch(loops, params, queue.append, queue.popleft)


@body("EnqueueDispatch", "queue.SimpleQueue")
def simplequeue_enqueue_dispatch(loops: int, _: Any, params: Params) -> float:
    queue: SimpleQueue[Any] = SimpleQueue()
    return _enqueue_then_dispatch(loops, params, queue.put, queue.get)
