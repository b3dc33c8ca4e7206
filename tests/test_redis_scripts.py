"""The Redis store's server-side steps, each one Lua script, against a private server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from goeventbus_variants.redisstore.scripts import (
    ACCEPTED,
    BLOCK,
    DROP_OLDEST,
    DUPLICATE,
    FULL,
    REFUSE,
    RETURN_ERROR,
    Keys,
    Scripts,
)
from goeventbus_variants.redisstore.server import RedisServer
from tests.conftest import join, spawn


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture
def client(server: RedisServer) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(server.url, socket_timeout=10)
    connection.flushall()
    yield connection
    connection.close()


KEYS = Keys("t")


def subscribe(scripts: Scripts, events: list[str], *, size: int = 4, policy: int = DROP_OLDEST,
              client: str = "c", seq: int = 0) -> int:  # fmt: skip
    return scripts.subscribe(size, policy, client, seq, events)


def claim(scripts: Scripts, claim_id: str, lease_ms: int = 60_000) -> list[bytes]:
    return scripts.claim(claim_id, lease_ms)


def test_capacity_and_the_three_policies(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    assert subscribe(scripts, ["a", "b", "c", "d"], seq=0) == ACCEPTED
    for seq, policy in enumerate((BLOCK, RETURN_ERROR), start=1):
        assert subscribe(scripts, ["e"], policy=policy, seq=seq) == FULL
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b", b"c", b"d"]
    assert subscribe(scripts, ["e", "f"], seq=3) == ACCEPTED
    assert client.lrange(KEYS.ring, 0, -1) == [b"c", b"d", b"e", b"f"]
    stats = client.hgetall(KEYS.stats)
    assert stats == {b"published": b"6", b"dropped": b"2", b"waiters": b"1"}  # BLOCK waits
    assert subscribe(scripts, ["x"] * 5, seq=4) == FULL  # more than the store holds


def test_a_retried_subscribe_is_never_enqueued_twice(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    assert subscribe(scripts, ["a"], seq=7) == ACCEPTED
    assert subscribe(scripts, ["a"], seq=7) == DUPLICATE
    assert subscribe(scripts, ["b"], client="other", seq=7) == ACCEPTED
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b"]


def test_claim_finish_and_counters(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    subscribe(scripts, ["a", "b"])
    assert claim(scripts, "1") == [b"a", b"b"]
    assert claim(scripts, "2") == []
    assert client.llen(KEYS.ring) == 0
    assert client.lrange(KEYS.claim("1"), 0, -1) == [b"a", b"b"]
    assert scripts.finish("1", 2, 1, 0, 0)
    assert not scripts.finish("1", 2, 1, 0, 0)
    stats = client.hgetall(KEYS.stats)
    assert (stats[b"processed"], stats[b"errors"], stats[b"unhandled"]) == (b"2", b"1", b"0")
    assert not client.exists(KEYS.claim("1"))


def test_expired_claims_go_back_in_front_in_order(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    subscribe(scripts, ["a", "b"], seq=0)
    claim(scripts, "dead", lease_ms=-1000)  # leases are on the server's clock: expired
    subscribe(scripts, ["c"], seq=1)
    assert scripts.keep_alive("me", [], lease_ms=90_000) == 2
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b", b"c"]
    assert claim(scripts, "alive") == [b"a", b"b", b"c"]
    assert scripts.keep_alive("me", ["alive"], lease_ms=90_000) == 0
    server_now_ms = client.time()[0] * 1000
    assert client.zscore(KEYS.claims, "alive") > server_now_ms + 80_000  # renewed
    subscribe(scripts, ["d"], seq=2)
    claim(scripts, "late", lease_ms=-1)
    subscribe(scripts, ["e"], seq=3)
    assert claim(scripts, "next") == [b"d", b"e"]  # a publish recovers too, first
    assert client.zrange(KEYS.claims, 0, -1) == [b"next", b"alive"]


def test_claims_wake_block_waiters(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    subscribe(scripts, ["a", "b", "c"])
    client.hset(KEYS.stats, "waiters", 2)
    claim(scripts, "1")
    assert client.llen(KEYS.room) == 2


def test_a_commit_enqueues_all_or_nothing_and_claims_up_to_its_last(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    subscribe(scripts, ["a", "b"])
    assert scripts.commit(4, RETURN_ERROR, "c", 1, "x", 60_000, ["t1", "t2", "t3"]) is None
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b"]
    assert scripts.commit(4, RETURN_ERROR, "c", 2, "x", 60_000, ["t1", "t2"]) == [
        b"a", b"b", b"t1", b"t2",
    ]  # fmt: skip
    assert client.llen(KEYS.ring) == 0
    assert client.hget(KEYS.stats, "published") == b"4"


def test_timers_fire_once_cancel_once_and_pass_to_a_live_owner(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    scripts.schedule("t1", 5.0, "dead", lease_ms=-1000, event="e1")
    scripts.schedule("t2", 7.5, "dead", lease_ms=-1000, event="e2")
    scripts.schedule("t3", 9.0, "alive", lease_ms=60_000, event="e3")
    assert client.hget(KEYS.stats, "timers_pending") == b"3"
    assert scripts.cancel("t1", "dead")
    assert not scripts.cancel("t1", "dead")
    adopted = scripts.adopt("alive", lease_ms=60_000)
    assert [(d.id, d.due, d.event) for d in adopted] == [("t2", 7.5, b"e2")]
    assert scripts.adopt("alive", lease_ms=60_000) == []
    assert scripts.fire(4, DROP_OLDEST, "t2", "dead") == DUPLICATE  # not the dead one's now
    assert scripts.fire(4, DROP_OLDEST, "t2", "alive") == ACCEPTED
    assert scripts.fire(4, DROP_OLDEST, "t2", "alive") == DUPLICATE
    assert client.lrange(KEYS.ring, 0, -1) == [b"e2"]
    stats = client.hgetall(KEYS.stats)
    assert (stats[b"timers_pending"], stats[b"timers_cancelled"]) == (b"1", b"1")
    assert stats[b"published"] == b"1"


def test_a_timer_waits_for_room_under_block_only(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    subscribe(scripts, ["a"], size=1)
    scripts.schedule("b", 1.0, "me", lease_ms=60_000, event="eb")
    scripts.schedule("r", 1.0, "me", lease_ms=60_000, event="er")
    assert scripts.fire(1, BLOCK, "b", "me") == FULL
    assert client.zscore(KEYS.timers, "b") == 1.0  # fired, but kept until there is room
    assert client.hget(KEYS.stats, "timers_pending") == b"1"
    assert scripts.fire(1, BLOCK, "b", "me") == FULL  # still waiting: counted once
    assert scripts.fire(1, RETURN_ERROR, "r", "me") == FULL
    assert client.zscore(KEYS.timers, "r") is None  # refused: gone
    assert scripts.fire(1, REFUSE, "b", "me") == FULL
    assert client.zcard(KEYS.timers) == 0
    assert client.lrange(KEYS.ring, 0, -1) == [b"a"]
    assert client.hget(KEYS.stats, "timers_pending") == b"0"


def test_concurrent_claims_take_each_event_once(server: RedisServer, client: redis.Redis) -> None:
    taken: list[list[bytes]] = [[], []]

    def claimer(slot: int) -> None:
        own = redis.Redis.from_url(server.url, socket_timeout=10)
        scripts = Scripts(own, KEYS)
        for n in range(300):
            taken[slot] += claim(scripts, f"{slot}-{n}")
        own.close()

    producer_scripts = Scripts(client, KEYS)
    threads = [spawn(claimer, 0), spawn(claimer, 1)]
    sent = [f"e{n}" for n in range(600)]
    for seq, event in enumerate(sent):
        assert subscribe(producer_scripts, [event], size=1 << 20, seq=seq) == ACCEPTED
    for thread in threads:
        join(thread)
    rest = claim(producer_scripts, "last")
    got = [e.decode() for e in taken[0] + taken[1] + rest]
    assert sorted(got) == sorted(sent)
    assert len(got) == len(set(got))


def test_long_batches_go_through_in_chunks(client: redis.Redis) -> None:
    scripts = Scripts(client, KEYS)
    events = [f"e{n}" for n in range(20_000)]
    assert subscribe(scripts, events, size=1 << 16) == ACCEPTED
    assert len(claim(scripts, "big")) == 20_000
    assert client.llen(KEYS.claim("big")) == 20_000
