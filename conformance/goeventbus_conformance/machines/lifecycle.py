"""Sections 5 and 5a: async mode toggled on and off, publish, drain, close, calls after close.

Worker threads wait at a gate before running a handler, so between steps everything
handed off is exactly ``in_flight``; the ``release`` step opens the gate and drains.
Async dispatch promises no order, so logs are compared as multisets.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from goeventbus import Context, DeadlineExceededError
from goeventbus_conformance.machines.base import (
    PROJECTIONS,
    WAIT,
    context_for,
    policies,
    projections,
)
from goeventbus_conformance.machines.buffer import BufferMachine
from goeventbus_conformance.model import Ctx, Kind, Policy, Script


class LifecycleMachine(BufferMachine):
    unordered_log = True

    @initialize(
        size=st.sampled_from([4, 16, 64]),
        policy=policies,
        workers=st.integers(1, 4),
        async_mode=st.booleans(),
    )
    def start(self, size: int, policy: Policy, workers: int, async_mode: bool) -> None:
        self.gate = threading.Event()
        self.stuck = threading.Event()
        self.open(size, policy, async_mode=async_mode, workers=workers)
        self.model.async_mode = async_mode
        # Every projection has a handler: an unhandled event would skip the gate and
        # finish at an unpredictable moment (unhandled async events: test_examples).
        for number, projection in enumerate(PROJECTIONS):
            kind = Kind.FAIL if number % 2 else Kind.OK
            self.register(projection, Script(f"{kind.value}{number}", kind))

    def before_handler(self) -> None:
        if threading.get_ident() != self.main_thread and not self.gate.wait(WAIT):
            self.stuck.set()

    @rule(flag=st.booleans())
    def set_async(self, flag: bool) -> None:
        self.store.async_mode = flag
        self.model.async_mode = flag
        assert self.store.async_mode is flag

    @rule()
    def release(self) -> None:
        self.gate.set()
        self.both(
            lambda: self.store.drain(Context.background().with_timeout(WAIT)),
            self.model.finish_handed_off,
        )
        self.gate.clear()
        assert not self.stuck.is_set(), "a worker waited at the gate for the whole bound"

    @precondition(lambda self: self.model.counters.in_flight > 0)
    @rule()
    def drain_times_out(self) -> None:
        try:
            self.store.drain(Context.background().with_timeout(0.01))
        except DeadlineExceededError:
            pass
        else:
            raise AssertionError("drain returned while handlers were still held at the gate")
        self.compare()

    @precondition(lambda self: self.model.counters.in_flight == 0)
    @rule()
    def drain_idle(self) -> None:
        self.store.drain()
        self.compare()

    def close_store(self) -> None:
        self.gate.set()
        super().close_store()

    @rule(projection=projections)
    def publish_after_subscribe(self, projection: Hashable) -> None:
        """The common pairing, so that async batches are larger than one event."""
        self.subscribe_one(projection)
        self.publish()

    def subscribe_one(self, projection: Hashable) -> None:
        model_event, event = self.new_event(projection)
        if self.model.would_wait():
            return
        self.both(
            lambda: self.store.subscribe(event, context_for(Ctx.LIVE)),
            lambda: self.model.subscribe(model_event, Ctx.LIVE),
        )

    def teardown(self) -> None:
        if self.store is not None:
            self.gate.set()
        super().teardown()
