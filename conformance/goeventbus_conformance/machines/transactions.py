"""Section 7: buffer, commit (fits, does not fit, oversized, failing handler), rollback."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, rule

from goeventbus_conformance.machines.base import (
    BAD_EVENTS,
    blocking_contexts,
    context_for,
    projections,
)
from goeventbus_conformance.machines.handlers import ScriptedMachine
from goeventbus_conformance.model import Ctx, Failed, Interrupted, ModelEvent, Policy


@dataclass
class Pair:
    """One transaction on each side."""

    tx: Any
    events: list[ModelEvent] = field(default_factory=list)


class Abandon(Exception):
    """Raised inside a ``with`` transaction to make it roll back."""


class TransactionMachine(ScriptedMachine):
    transactions = Bundle("transactions")

    @rule(target=transactions)
    def begin(self) -> Pair:
        return Pair(self.store.begin_transaction())

    @rule(target=transactions, chosen=st.lists(projections, min_size=1, max_size=4))
    def transact(self, chosen: list[Hashable]) -> Pair:
        """Begin, publish a few events and commit, as one step; the transaction stays
        around, so a later step may commit it again (a no-op) or reuse it."""
        pair = Pair(self.store.begin_transaction())
        for projection in chosen:
            self.tx_publish(pair, projection)
        self.commit_pair(pair, Ctx.EXPIRED)
        return pair

    @rule(pair=transactions, projection=projections)
    def tx_publish(self, pair: Pair, projection: Hashable) -> None:
        model_event, event = self.new_event(projection)
        pair.tx.publish(event)
        pair.events.append(model_event)
        self.compare()  # nothing reached the store

    @rule(pair=transactions, bad=st.sampled_from(BAD_EVENTS))
    def tx_publish_bad_input(self, pair: Pair, bad: object) -> None:
        try:
            pair.tx.publish(bad)
        except TypeError:
            pass
        else:
            raise AssertionError(f"tx.publish({bad!r}) did not raise TypeError")
        self.compare()  # not counted: nothing reached the store

    @rule(pair=transactions, blocking=blocking_contexts)
    def commit(self, pair: Pair, blocking: Ctx) -> None:
        self.commit_pair(pair, blocking)

    def commit_pair(self, pair: Pair, blocking: Ctx) -> None:
        needed = len(pair.events)
        ctx = Ctx.LIVE if self.model.policy is Policy.BLOCK else Ctx.NONE
        if needed <= self.model.size and self.model.would_wait(needed):
            ctx = blocking
        events = list(pair.events)

        def on_model() -> None:
            try:
                self.model.commit(events, ctx)
            except (Failed, Interrupted):
                pair.events.clear()
                raise
            pair.events.clear()

        self.both(lambda: pair.tx.commit(context_for(ctx)), on_model)

    @rule(pair=transactions)
    def rollback(self, pair: Pair) -> None:
        pair.tx.rollback()
        pair.events.clear()
        self.compare()

    @rule(chosen=st.lists(projections, min_size=1, max_size=4), abandon=st.booleans())
    def with_block(self, chosen: list[Hashable], abandon: bool) -> None:
        # The with form commits without a context: under BLOCK a wrong store could hang.
        assume(abandon or self.model.policy is not Policy.BLOCK)
        pairs = [self.new_event(projection) for projection in chosen]

        def on_impl() -> None:
            try:
                with self.store.begin_transaction() as tx:
                    for _, event in pairs:
                        tx.publish(event)
                    if abandon:
                        raise Abandon
            except Abandon:
                pass

        def on_model() -> None:
            if not abandon:
                self.model.commit([model_event for model_event, _ in pairs])

        self.both(on_impl, on_model)
