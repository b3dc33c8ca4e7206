"""Shared fixtures: stores that are always closed, handlers that record, bounded waits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from goeventbus import Context, EventStore, Result
from goeventbus_conformance.helpers import (
    WAIT,
    join,
    numbered,
    spawn,
    store_factory,
    until,
    within,
)

__all__ = ["WAIT", "Recorder", "blocked", "join", "numbered", "spawn", "until", "within"]


def blocked(store: EventStore, count: int = 1) -> None:
    """Wait until ``count`` threads are parked in a BLOCK wait of the reference store."""
    until(lambda: store._room_waiters >= count, f"{count} BLOCK waiter(s)")


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
    yield from store_factory(EventStore)
