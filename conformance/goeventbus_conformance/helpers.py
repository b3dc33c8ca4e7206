"""Small tools shared by the suite's example and concurrency tests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from goeventbus import Context, Event

#: The bound on every wait; reaching it is a failure (a hang), never mere slowness.
WAIT = 10.0


def within(seconds: float = WAIT) -> Context:
    return Context.background().with_timeout(seconds)


def numbered(n: int, projection: Any = "p") -> Event:
    return Event(str(n), projection, {"n": n})


def spawn(target: Callable[..., Any], *args: Any, name: str = "conformance") -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


def join(thread: threading.Thread, timeout: float = WAIT) -> None:
    thread.join(timeout)
    assert not thread.is_alive(), f"thread {thread.name} still running after {timeout}s (a hang)"


def until(ready: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.001)


def run_threads(works: list[Callable[[], None]]) -> None:
    """Run each function in its own thread; re-raise the first error any of them hit."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [spawn(guarded, work, name=f"worker-{i}") for i, work in enumerate(works)]
    for thread in threads:
        join(thread)
    if errors:
        raise errors[0]


class Recorder:
    """A thread-safe handler recording the ``args``, context and thread of each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.contexts: list[Context] = []
        self.threads: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, ctx: Context, args: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(args)
            self.contexts.append(ctx)
            self.threads.append(threading.get_ident())

    def values(self, key: str = "n") -> list[Any]:
        with self._lock:
            return [args.get(key) for args in self.calls]


class Tally:
    """Counts deliveries per event id, from any thread."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, ctx: Context, args: dict[str, Any]) -> None:
        with self._lock:
            self.counts[args["id"]] += 1


def store_factory(impl: type[Any]) -> Iterator[Callable[..., Any]]:
    """The body of a ``make_store`` fixture: build stores of ``impl``, close them after."""
    from goeventbus import OverrunPolicy

    stores: list[Any] = []

    def make(
        dispatcher: Any = None,
        size: int = 16,
        policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
        **options: Any,
    ) -> Any:
        store = impl({} if dispatcher is None else dispatcher, size, policy, **options)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close(within())
