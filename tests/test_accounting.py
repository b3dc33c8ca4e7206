"""SEMANTICS section 4: every accepted event lands in exactly one bucket."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, ManualClock, OverrunPolicy, Stats
from tests.conftest import WAIT, within


def test_every_bucket_at_once(make_store: Callable[..., EventStore]) -> None:
    release = threading.Event()
    clock = ManualClock()

    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("x")

    dispatcher: dict[str, Any] = {
        "ok": lambda ctx, args: None,
        "bad": failing,
        "slow": lambda ctx, args: release.wait(WAIT),
    }
    store = make_store(dispatcher, size=4, clock=clock)
    for projection in ("ok", "ok", "bad", "nobody", "ok", "ok"):  # the first two dropped
        store.subscribe(Event(projection=projection))
    store.publish()
    tx = store.begin_transaction()
    for projection in ("bad", "ok", "ok"):  # one fails, two discarded
        tx.publish(Event(projection=projection))
    with pytest.raises(ValueError, match="x"):
        tx.commit()
    store.schedule_after(0, Event(projection="ok"))  # immediate
    store.schedule_after(5, Event(projection="ok"))  # timer pending
    store.async_mode = True
    store.subscribe(Event(projection="slow"))
    store.publish()  # in flight until released
    store.async_mode = False
    store.subscribe(Event(projection="ok"))  # pending
    stats = store.stats()
    assert stats == Stats(
        published=6 + 3 + 1 + 1,
        processed=3 + 1 + 1,  # batch (bad included), the commit's failure, the immediate
        errors=1 + 1,
        dropped=2,
        unhandled=1,
        discarded=2,
        rejected=0,
        pending=1,
        in_flight=1,
        immediate=1,
        timers_pending=1,
        timers_cancelled=0,
    )
    assert stats.balanced
    release.set()
    store.drain(within())
    clock.advance(5)
    store.publish()
    final = store.stats()
    assert final.balanced
    assert final.pending == final.in_flight == final.timers_pending == 0
    assert store.metrics() == final.metrics()


def test_rejected_counts_refused_events_only(make_store: Callable[..., EventStore]) -> None:
    store = make_store({}, size=1, policy=OverrunPolicy.RETURN_ERROR)
    store.subscribe(Event(projection="p"))
    for _ in range(3):
        with pytest.raises(Exception, match="full"):
            store.subscribe(Event(projection="p"))
    stats = store.stats()
    assert (stats.rejected, stats.published) == (3, 1)
    assert stats.balanced
