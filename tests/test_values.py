"""SEMANTICS section 1: the value types every implementation shares."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import goeventbus
from goeventbus import (
    BufferFullError,
    ContextCancelledError,
    ContextError,
    DeadlineExceededError,
    Event,
    EventBusError,
    EventStore,
    Metrics,
    OverrunPolicy,
    Result,
    Stats,
    StoreClosedError,
    Timer,
)


def test_event_defaults_and_slots() -> None:
    event = Event()
    assert (event.id, event.projection, event.args) == ("", None, None)
    assert not hasattr(event, "__dict__")
    assert dataclasses.is_dataclass(event)
    event.args = {"k": 1}
    assert Event("1", "p", {"k": 1}) == Event(id="1", projection="p", args={"k": 1})


def test_result_default() -> None:
    assert Result().message == ""
    assert Result("done").message == "done"


def test_policies_and_default() -> None:
    assert {p.name for p in OverrunPolicy} == {"DROP_OLDEST", "BLOCK", "RETURN_ERROR"}
    assert inspect.signature(EventStore).parameters["policy"].default is OverrunPolicy.DROP_OLDEST


def test_metrics_unpacks_like_go() -> None:
    published, processed, errors = Metrics(3, 2, 1)
    assert (published, processed, errors) == (3, 2, 1)


def test_stats_is_frozen_with_every_counter() -> None:
    names = [field.name for field in dataclasses.fields(Stats)]
    assert names == [
        "published",
        "processed",
        "errors",
        "dropped",
        "unhandled",
        "discarded",
        "rejected",
        "pending",
        "in_flight",
        "immediate",
        "timers_pending",
        "timers_cancelled",
    ]
    stats = Stats(published=2, processed=1, pending=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.published = 5  # type: ignore[misc]
    assert stats.balanced
    assert not Stats(published=1).balanced
    assert stats.metrics() == Metrics(2, 1, 0)


def test_error_hierarchy() -> None:
    for error in (BufferFullError, StoreClosedError, ContextError):
        assert issubclass(error, EventBusError)
    assert issubclass(DeadlineExceededError, ContextError)
    assert issubclass(DeadlineExceededError, TimeoutError)
    assert issubclass(ContextCancelledError, ContextError)
    assert not issubclass(ContextCancelledError, TimeoutError)


def test_store_signature_matches_the_contract() -> None:
    parameters = inspect.signature(EventStore).parameters
    assert list(parameters) == [
        "dispatcher",
        "size",
        "policy",
        "async_mode",
        "workers",
        "clock",
    ]
    assert parameters["size"].default == 65536
    for keyword_only in ("async_mode", "workers", "clock"):
        assert parameters[keyword_only].kind is inspect.Parameter.KEYWORD_ONLY
    assert EventStore.unsupported == frozenset()


def test_everything_public_is_exported() -> None:
    for name in goeventbus.__all__:
        assert hasattr(goeventbus, name), name


def test_timer_protocol_is_met_by_scheduled_timers() -> None:
    store = EventStore({}, clock=goeventbus.ManualClock())
    timer = store.schedule_after(1.0, Event(projection="p"))
    assert isinstance(timer, Timer)
    assert not timer.fired
    assert not timer.cancelled
    store.close()
