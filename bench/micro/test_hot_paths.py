"""Micro-benchmarks of the hot paths for day-to-day work: ``nox -s microbench``.

pytest-benchmark saves each run under ``.benchmarks/`` and the session compares the
next run with the last one. The pyperf matrix (``nox -s bench``) is the reference
figure; these are quick feedback while changing an implementation.
"""

from __future__ import annotations

from typing import Any

import pytest

from goeventbus import Context, Event
from goeventbus_conformance.loading import registered, resolve

EVENT = Event("id", "p", {"k": "v"})
BATCH = [EVENT] * 1024


def handler(ctx: Context, args: dict[str, Any]) -> None:
    return None


@pytest.fixture(params=sorted(registered()))
def store(request: pytest.FixtureRequest) -> Any:
    with resolve(request.param).cls({"p": handler}, 1 << 16) as opened:
        yield opened


def test_floor(benchmark: Any) -> None:
    benchmark(handler, Context.background(), EVENT.args)


def test_subscribe(benchmark: Any, store: Any) -> None:
    benchmark(store.subscribe, EVENT)


def test_subscribe_many_1024(benchmark: Any, store: Any) -> None:
    benchmark(store.subscribe_many, BATCH)


def test_publish_1024(benchmark: Any, store: Any) -> None:
    def prefill() -> None:
        store.subscribe_many(BATCH)

    benchmark.pedantic(store.publish, setup=prefill, rounds=300)


def test_subscribe_then_publish(benchmark: Any, store: Any) -> None:
    def once() -> None:
        store.subscribe(EVENT)
        store.publish()

    benchmark(once)
