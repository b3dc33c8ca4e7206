"""Peer libraries doing ``Deliver``'s work: one event to one handler, each in its own idiom.

They have no queue, so ``EnqueueDispatch`` does not apply to them. Each is imported
only inside its body, so the harness runs without them (the matrix then lists
them as unavailable).
"""

from __future__ import annotations

from typing import Any

from goeventbus_bench.cases import BACKGROUND, EVENT, PROJECTION, handler
from goeventbus_bench.registry import Params, body
from goeventbus_bench.timing import perf_counter

#: peer name -> the module that must be importable
MODULES = {"blinker": "blinker", "pyee": "pyee", "pypubsub": "pubsub"}


def receiver(sender: Any, **kwargs: Any) -> None:
    return None


def listener(ctx: Any, args: Any) -> None:
    return None


@body("Deliver", "pyee")
def pyee_emit(loops: int, _: Any, params: Params) -> float:
    from pyee import EventEmitter

    emitter = EventEmitter()
    emitter.on(PROJECTION, handler)
    emit, ctx, args = emitter.emit, BACKGROUND, EVENT.args
    started = perf_counter()
    for _ in range(loops * params.sizes.batch):
        emit(PROJECTION, ctx, args)
    return perf_counter() - started


@body("Deliver", "blinker")
def blinker_send(loops: int, _: Any, params: Params) -> float:
    from blinker import Signal

    signal = Signal()
    signal.connect(receiver)
    send, ctx, args = signal.send, BACKGROUND, EVENT.args
    started = perf_counter()
    for _ in range(loops * params.sizes.batch):
        send(ctx, args=args)
    return perf_counter() - started


@body("Deliver", "pypubsub")
def pypubsub_send_message(loops: int, _: Any, params: Params) -> float:
    from pubsub import pub

    pub.subscribe(listener, PROJECTION)
    send, ctx, args = pub.sendMessage, BACKGROUND, EVENT.args
    try:
        started = perf_counter()
        for _ in range(loops * params.sizes.batch):
            send(PROJECTION, ctx=ctx, args=args)
        return perf_counter() - started
    finally:
        pub.unsubscribe(listener, PROJECTION)
