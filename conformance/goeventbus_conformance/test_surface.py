"""Section 1, checked first: the names, signatures and attributes other code relies on.

These run before every behaviour test; if one fails the session stops there, so a
missing method is one clear failure naming it, not hundreds of confusing ones.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import goeventbus
from goeventbus import Context, Event, ManualClock, Metrics, OverrunPolicy, Stats, Timer
from goeventbus_conformance import capabilities

pytestmark = [pytest.mark.surface, pytest.mark.section("1")]

#: Each public method and the parameters it must accept, in order.
METHODS: dict[str, list[str]] = {
    "subscribe": ["event", "ctx"],
    "subscribe_many": ["events", "ctx"],
    "publish": [],
    "drain": ["ctx"],
    "close": ["ctx"],
    "metrics": [],
    "stats": [],
    "use": ["middleware"],
    "on_before": ["hook"],
    "on_after": ["hook"],
    "on_error": ["hook"],
    "schedule": ["at", "event", "ctx"],
    "schedule_after": ["delay", "event", "ctx"],
    "begin_transaction": [],
    "__enter__": [],
    "__exit__": None,  # type: ignore[dict-item]
}
#: Parameters whose default must be None.
OPTIONAL = {"ctx"}

SHARED = [
    "Event",
    "Result",
    "OverrunPolicy",
    "Metrics",
    "Stats",
    "Context",
    "EventBusError",
    "BufferFullError",
    "StoreClosedError",
    "ContextError",
    "DeadlineExceededError",
    "ContextCancelledError",
    "SystemClock",
    "ManualClock",
    "Timer",
]


@pytest.mark.parametrize("name", SHARED)
def test_shared_vocabulary_is_importable(name: str) -> None:
    assert hasattr(goeventbus, name), f"goeventbus.{name} is missing"


def _parameters(function: Any) -> list[inspect.Parameter]:
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        pytest.skip(f"not applicable: the signature of {function!r} cannot be inspected")
    return parameters


@pytest.mark.parametrize("method", list(METHODS))
def test_method(impl: type[Any], method: str) -> None:
    member = getattr(impl, method, None)
    assert callable(member), f"{impl.__name__} has no method {method}()"
    wanted = METHODS[method]
    if wanted is None:
        return
    parameters = [p for p in _parameters(member) if p.name != "self"]
    names = [p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD]
    assert names[: len(wanted)] == wanted, (
        f"{impl.__name__}.{method} takes ({', '.join(names)}), "
        f"the contract says ({', '.join(wanted)})"
    )
    for parameter in parameters:
        if parameter.name in OPTIONAL:
            assert parameter.default is None, f"{method}(): {parameter.name} must default to None"


def test_constructor_signature(impl: type[Any]) -> None:
    parameters = {p.name: p for p in _parameters(impl)}
    for name in ("dispatcher", "size", "policy", "async_mode", "workers", "clock"):
        assert name in parameters, f"{impl.__name__}() has no parameter {name}"
    assert parameters["size"].default == 65536, "size must default to 65536"
    assert parameters["policy"].default is OverrunPolicy.DROP_OLDEST
    for name in ("async_mode", "workers", "clock"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, f"{name} is keyword-only"
    assert parameters["async_mode"].default is False
    assert parameters["workers"].default is None
    assert parameters["clock"].default is None


def test_unsupported_names_capabilities(impl: type[Any]) -> None:
    declared = getattr(impl, "unsupported", None)
    assert isinstance(declared, frozenset), f"{impl.__name__}.unsupported must be a frozenset"
    assert not capabilities.unknown(declared), f"unknown capabilities: {sorted(declared)}"


def test_instance_attributes(impl: type[Any]) -> None:
    store = impl({}, 8, OverrunPolicy.BLOCK, clock=ManualClock())
    try:
        assert store.size == 8
        assert store.policy is OverrunPolicy.BLOCK
        assert store.async_mode is False
        store.policy = OverrunPolicy.RETURN_ERROR
        store.async_mode = True
        assert store.policy is OverrunPolicy.RETURN_ERROR
        assert store.async_mode is True
        with pytest.raises(AttributeError):
            store.size = 16
        assert isinstance(store.metrics(), Metrics), "metrics() must return goeventbus.Metrics"
        assert isinstance(store.stats(), Stats), "stats() must return goeventbus.Stats"
        timer = store.schedule_after(1, Event(projection="p"))
        assert isinstance(timer, Timer), "schedule_after() must return a Timer"
        tx = store.begin_transaction()
        for method in ("publish", "commit", "rollback", "__enter__", "__exit__"):
            assert callable(getattr(tx, method, None)), f"a transaction has no {method}()"
    finally:
        store.close(Context.background().with_timeout(10))


def test_context_manager_returns_the_store(impl: type[Any]) -> None:
    store = impl({}, 4)
    with store as entered:
        assert entered is store
