"""The Redis store when its server fails: restarted with AOF, gone, or hung.

Each test runs its own redis-server (``RedisServer``), so it may kill, stop and
restart it. Waits are bounded: a call that hangs fails the test with a message.
"""

from __future__ import annotations

import signal
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Event, EventBusError
from goeventbus_variants.redisstore.server import RedisServer
from goeventbus_variants.redisstore.store import (
    OutcomeUnknownError,
    RedisEventStore,
    RedisStoreError,
    ServerUnavailableError,
)
from tests.conftest import Recorder, join, spawn

EVENTS = 400
KILL_AFTER = 100
TIMEOUT = 0.5  # the stores' socket timeout here: a lost call fails fast
BOUND = 10.0  # no call may take longer than this, whatever the server does


def within_bound(call: Callable[[], Any]) -> BaseException | None:
    """Run ``call`` in a thread; return what it raised; fail if it did not end in time."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND)
    assert not thread.is_alive(), f"{call} still running after {BOUND} s: it hangs"
    return raised[0] if raised else None


def test_a_server_restarted_mid_run_with_aof_loses_no_accepted_event() -> None:
    with RedisServer(aof=True) as server:
        recorder = Recorder()
        name = uuid.uuid4().hex
        store = RedisEventStore({"p": recorder}, 1 << 12, url=server.url, name=name,
                                timeout=TIMEOUT)  # fmt: skip
        accepted: list[int] = []
        unknown: list[int] = []
        refused = Counter[int]()
        halfway = threading.Event()

        def produce() -> None:
            for n in range(EVENTS):
                if n == KILL_AFTER:
                    halfway.set()
                for _ in range(1000):
                    try:
                        store.subscribe(Event(str(n), "p", {"n": n}))
                    except ServerUnavailableError:
                        refused[n] += 1
                        threading.Event().wait(0.01)  # nothing landed: try again
                        continue
                    except OutcomeUnknownError:
                        unknown.append(n)
                    else:
                        accepted.append(n)
                    break

        producer = spawn(produce)
        assert halfway.wait(BOUND), "the producer never got going"
        server.kill()  # a crash: only what the append-only file holds survives
        server.start()
        join(producer)
        assert len(accepted) + len(unknown) == EVENTS
        assert refused or unknown, "the producer never saw the server go"
        assert within_bound(store.close) is None
        ran = Counter(args["n"] for args in recorder.calls)
        assert set(accepted) <= set(ran), f"lost: {sorted(set(accepted) - set(ran))}"
        assert set(ran) <= set(accepted) | set(unknown)
        assert set(ran.values()) == {1}, "an event ran twice"
        stats = RedisEventStore({}, 1 << 12, url=server.url, name=name).stats()
        assert stats.published == len(ran)
        assert stats.processed == len(ran)
        assert stats.balanced


def test_a_server_gone_mid_run_is_a_clear_error_in_bounded_time() -> None:
    with RedisServer() as server:
        recorder = Recorder()
        store = RedisEventStore({"p": recorder}, 8, url=server.url, timeout=TIMEOUT)
        store.subscribe(Event("1", "p", {"n": 1}))
        store.publish()
        server.kill()
        calls: dict[str, Callable[[], Any]] = {
            "subscribe": lambda: store.subscribe(Event("2", "p", {"n": 2})),
            "subscribe_many": lambda: store.subscribe_many([Event("3", "p", None)]),
            "publish": store.publish,
            "stats": store.stats,
            "schedule_after": lambda: store.schedule_after(60, Event("4", "p", None)),
            "commit": lambda: _commit(store),
        }
        for what, call in calls.items():
            raised = within_bound(call)
            assert isinstance(raised, RedisStoreError), f"{what} raised {raised!r}"
            assert isinstance(raised, EventBusError)
            assert "server" in str(raised) or "connection" in str(raised), str(raised)
        assert recorder.values() == [1]
        server.start()  # back again: the same handle works
        store.subscribe(Event("5", "p", {"n": 5}))
        store.publish()
        assert recorder.values() == [1, 5]
        store.close()


def test_a_hung_server_is_an_outcome_unknown_error_not_a_hang() -> None:
    with RedisServer() as server:
        store = RedisEventStore({"p": Recorder()}, 8, url=server.url, timeout=TIMEOUT)
        store.stats()  # connected
        assert server.process is not None
        server.process.send_signal(signal.SIGSTOP)
        try:
            raised = within_bound(lambda: store.subscribe(Event("1", "p", None)))
            assert isinstance(raised, OutcomeUnknownError), repr(raised)
            assert "may or may not" in (OutcomeUnknownError.__doc__ or "")
        finally:
            server.process.send_signal(signal.SIGCONT)
        assert store.stats().published <= 1  # it may have landed, never twice
        store.close()


def _commit(store: RedisEventStore) -> None:
    tx = store.begin_transaction()
    tx.publish(Event("6", "p", None))
    tx.commit()


@pytest.mark.parametrize("bad", [0, -1.0, "5", True])
def test_bad_lease_or_timeout_is_refused(bad: object) -> None:
    for keyword in ("lease", "timeout"):
        with pytest.raises(ValueError, match=keyword):
            RedisEventStore({}, 8, **{keyword: bad})  # type: ignore[arg-type]
