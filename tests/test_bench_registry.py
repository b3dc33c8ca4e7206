"""The harness's registry and matrix: the Go names, the honest twins, the coordinates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from goeventbus import EventStore
from goeventbus_bench import matrix
from goeventbus_bench.anchor import go_anchor
from goeventbus_bench.redis_floors import PIPELINED, ROUND_TRIP, URL_ENV
from goeventbus_bench.registry import BASELINE, CASES, IMPLEMENTATION, PEER, Params
from goeventbus_bench.sizes import QUICK
from goeventbus_bench.subjects import (
    Subject,
    baseline_subjects,
    find,
    implementations,
    peer_subjects,
)
from goeventbus_bench.timing import parallel
from goeventbus_variants.redisstore.server import RedisServer

GO_SUITE = (
    "Subscribe", "SubscribeParallel", "Publish", "PublishAfterPrefill", "SubscribeLargePayload",
    "PublishLargePayload", "EventStore_Async", "EventStore_Sync", "FastHTTPSync",
    "FastHTTPAsync", "FastHTTPParallel", "SubscribePublish/Sync", "SubscribePublish/Async",
    "SubscribeBlockPolicy", "PublishWithErrors", "DrainSync", "DrainAsync",
    "Transaction_SyncCommit", "Transaction_AsyncCommit",
)  # fmt: skip


def test_every_go_benchmark_is_a_case_and_subscribe_many_too() -> None:
    assert set(GO_SUITE) | {"SubscribeMany"} <= set(CASES)


def test_go_shaped_cases_name_a_registered_honest_twin() -> None:
    go_shaped = [case for case in CASES.values() if case.go_shaped]
    assert {c.name for c in go_shaped} >= {
        "Publish",
        "PublishAfterPrefill",
        "EventStore_Async",
        "FastHTTPAsync",
    }
    for case in go_shaped:
        assert case.honest in CASES, case.name
        assert not CASES[case.honest].go_shaped


def test_the_go_anchor_holds_the_published_figures_of_known_cases() -> None:
    anchor = go_anchor()
    assert anchor.figures["Subscribe"] == 40.37
    assert anchor.figures["FastHTTPParallel"] == 262.3
    assert len(anchor.figures) == 11
    assert set(anchor.figures) <= set(CASES)
    assert "other machine" in anchor.label


def test_baselines_and_peers_only_do_the_shared_work() -> None:
    in_process = {"Deliver", "EnqueueDispatch"}
    on_redis = {"Subscribe", "SubscribeMany", "EnqueueDispatch", "EnqueueDispatch/Processes"}
    for subject in baseline_subjects() + peer_subjects():
        shared = on_redis if subject.needs_redis else in_process
        assert {c.name for c in CASES.values() if c.body_for(subject.name, subject.kind)} <= shared
    assert CASES["Deliver"].body_for("floor", BASELINE) is not None
    assert CASES["EnqueueDispatch"].body_for("pyee", PEER) is None
    assert CASES["SubscribeMany"].body_for(PIPELINED, BASELINE) is not None


def test_a_case_across_processes_applies_only_to_stores_shared_by_processes() -> None:
    processes = CASES["EnqueueDispatch/Processes"]
    assert processes.parallel
    assert processes.body_for("redis", IMPLEMENTATION) is not None
    assert processes.body_for("reference", IMPLEMENTATION) is None
    assert processes.body_for(ROUND_TRIP, BASELINE) is not None
    needs = {s.name for s in implementations(["reference", "redis"]) + baseline_subjects()
             if s.needs_redis}  # fmt: skip
    assert needs == {"redis", ROUND_TRIP, PIPELINED}


def test_the_matrix_expands_parallel_cases_by_workers_and_filters() -> None:
    subjects = implementations(["reference"]) + baseline_subjects()
    entries = matrix.build(matrix.select_cases(["Subscribe*", "Deliver"]), subjects, (1, 8))
    names = [e.name for e in entries]
    assert "SubscribeParallel[reference,w=1]" in names
    assert "SubscribeParallel[reference,w=8]" in names
    assert "SubscribeParallel[reference,w=2]" not in names
    assert "Deliver[floor]" in names
    assert "Subscribe[floor]" not in names
    assert all(not e.name.startswith("Publish") for e in entries)
    assert len(names) == len(set(names))


def test_an_unknown_case_pattern_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match=r"no case matches Nope.*Subscribe"):
        matrix.select_cases(["Nope"])


def test_entry_metadata_carries_the_coordinates() -> None:
    entry = matrix.entry("SubscribeParallel", find("reference"), 4)
    meta = entry.metadata(QUICK)
    assert meta["goeventbus_case"] == "SubscribeParallel"
    assert meta["goeventbus_subject"] == "reference"
    assert meta["goeventbus_kind"] == IMPLEMENTATION
    assert meta["goeventbus_workers"] == 4
    assert meta["goeventbus_profile"] == "quick"
    assert meta["goeventbus_version"] != "unknown"


def test_subjects_are_found_by_name_or_module_class() -> None:
    assert find("floor").kind == BASELINE
    assert find("pyee").kind == PEER
    assert find("goeventbus:EventStore").load() is EventStore
    assert Subject("reference", IMPLEMENTATION).load() is EventStore


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private server for the Redis store and its floors (the harness starts one too)."""
    with RedisServer() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv(URL_ENV, server.url)
        yield server.url


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_body_runs_against_an_implementation(name: str, redis_url: str) -> None:
    case = CASES[name]
    subject = "reference" if case.only is None else case.only[0]
    body = case.body_for(subject, IMPLEMENTATION)
    assert body is not None
    workers = 2 if case.parallel else 1
    assert body(3, find(subject).load(), Params(QUICK, workers)) > 0.0


@pytest.mark.parametrize("subject", baseline_subjects() + peer_subjects(), ids=lambda s: s.name)
def test_every_baseline_and_peer_body_runs(subject: Subject, redis_url: str) -> None:
    subject.load()
    ran = 0
    for case in CASES.values():
        body = case.body_for(subject.name, subject.kind)
        if body is not None:
            workers = 2 if case.parallel else 1
            assert body(2, None, Params(QUICK, workers)) > 0.0
            ran += 1
    assert ran >= 1


def test_parallel_splits_the_loops_and_reraises_a_thread_error() -> None:
    shares: list[int] = []
    assert parallel(3, 10, shares.append) >= 0.0
    assert sorted(shares) == [3, 3, 4]

    def boom(share: int) -> None:
        raise KeyError("worker failed")

    with pytest.raises(KeyError, match="worker failed"):
        parallel(2, 4, boom)
