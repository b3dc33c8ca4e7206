"""Shared fixtures: stores that are always closed, handlers that record, bounded waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, OverrunPolicy, Result

#: The bound on every wait in these tests; reaching it means the test failed, not that
#: the machine was slow (nothing here takes more than milliseconds when correct).
WAIT = 10.0


def within(seconds: float = WAIT) -> Context:
    """A context that gives up after ``seconds``: every drain/close/BLOCK in a test uses one."""
    return Context.background().with_timeout(seconds)


def numbered(n: int, projection: str = "p") -> Event:
    """Event ``n`` of a sequence: handlers read the number back from ``args["n"]``."""
    return Event(str(n), projection, {"n": n})


def until(ready: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait for a condition another thread brings about; fail, naming it, after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.001)


def blocked(store: EventStore, count: int = 1) -> None:
    """Wait until ``count`` threads are parked in a BLOCK wait of the reference store."""
    until(lambda: store._room_waiters >= count, f"{count} BLOCK waiter(s)")


def join(thread: threading.Thread, timeout: float = WAIT) -> None:
    thread.join(timeout)
    assert not thread.is_alive(), f"thread {thread.name} still running after {timeout}s"


def spawn(target: Callable[..., Any], *args: Any, name: str = "test-thread") -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


class Recorder:
    """A handler that records ``args`` of each call (thread-safe) and returns a Result."""

    def __init__(self, name: str = "recorder") -> None:
        self.name = name
        self.calls: list[dict[str, Any]] = []
        self.contexts: list[Context] = []
        self._lock = threading.Lock()

    def __call__(self, ctx: Context, args: dict[str, Any]) -> Result:
        with self._lock:
            self.calls.append(args)
            self.contexts.append(ctx)
        return Result(self.name)

    def values(self, key: str = "n") -> list[Any]:
        with self._lock:
            return [args.get(key) for args in self.calls]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_store() -> Iterator[Callable[..., EventStore]]:
    """Build stores that the test need not close (teardown closes them, bounded)."""
    stores: list[EventStore] = []

    def make(
        dispatcher: Any = None,
        size: int = 16,
        policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
        **options: Any,
    ) -> EventStore:
        store = EventStore({} if dispatcher is None else dispatcher, size, policy, **options)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close(within())
