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
              client: str = "c", seq: int = 0) -> list[int]:  # fmt: skip
    return list(
        scripts.subscribe(
            keys=[KEYS.ring, KEYS.stats, KEYS.clients], args=[size, policy, client, seq, *events]
        )
    )


def claim(scripts: Scripts, claim_id: str, deadline_ms: int = 10**15) -> list[bytes]:
    return list(
        scripts.claim(
            keys=[KEYS.ring, KEYS.claims, KEYS.stats, KEYS.room],
            args=[KEYS.claim(claim_id), deadline_ms, claim_id],
        )
    )


def test_capacity_and_the_three_policies(client: redis.Redis) -> None:
    scripts = Scripts(client)
    assert subscribe(scripts, ["a", "b", "c", "d"], seq=0) == [ACCEPTED, 0]
    for seq, policy in enumerate((BLOCK, RETURN_ERROR), start=1):
        assert subscribe(scripts, ["e"], policy=policy, seq=seq) == [FULL, 0]
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b", b"c", b"d"]
    assert subscribe(scripts, ["e", "f"], seq=3) == [ACCEPTED, 2]
    assert client.lrange(KEYS.ring, 0, -1) == [b"c", b"d", b"e", b"f"]
    stats = client.hgetall(KEYS.stats)
    assert stats == {b"published": b"6", b"dropped": b"2", b"waiters": b"1"}  # BLOCK waits
    assert subscribe(scripts, ["x"] * 5, seq=4) == [FULL, 0]  # more than the store holds


def test_a_retried_subscribe_is_never_enqueued_twice(client: redis.Redis) -> None:
    scripts = Scripts(client)
    assert subscribe(scripts, ["a"], seq=7)[0] == ACCEPTED
    assert subscribe(scripts, ["a"], seq=7)[0] == DUPLICATE
    assert subscribe(scripts, ["b"], client="other", seq=7)[0] == ACCEPTED
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b"]


def test_claim_finish_and_counters(client: redis.Redis) -> None:
    scripts = Scripts(client)
    subscribe(scripts, ["a", "b"])
    assert claim(scripts, "1") == [b"a", b"b"]
    assert claim(scripts, "2") == []
    assert client.llen(KEYS.ring) == 0
    assert client.lrange(KEYS.claim("1"), 0, -1) == [b"a", b"b"]
    done = scripts.finish(keys=[KEYS.claims, KEYS.stats], args=[KEYS.claim("1"), "1", 2, 1, 0, 0])
    assert done == 1
    again = scripts.finish(keys=[KEYS.claims, KEYS.stats], args=[KEYS.claim("1"), "1", 2, 1, 0, 0])
    assert again == 0
    stats = client.hgetall(KEYS.stats)
    assert (stats[b"processed"], stats[b"errors"], stats[b"unhandled"]) == (b"2", b"1", b"0")
    assert not client.exists(KEYS.claim("1"))


def test_expired_claims_go_back_in_front_in_order(client: redis.Redis) -> None:
    scripts = Scripts(client)
    subscribe(scripts, ["a", "b"], seq=0)
    claim(scripts, "dead", deadline_ms=1000)
    subscribe(scripts, ["c"], seq=1)
    claim(scripts, "alive", deadline_ms=5000)
    subscribe(scripts, ["d"], seq=2)
    recovered = scripts.recover(keys=[KEYS.claims, KEYS.ring], args=[2000, KEYS.claim("")])
    assert recovered == 2
    assert client.lrange(KEYS.ring, 0, -1) == [b"a", b"b", b"d"]
    assert client.zrange(KEYS.claims, 0, -1) == [b"alive"]
    assert scripts.renew(keys=[KEYS.claims], args=[9000, "alive"]) == 1
    assert scripts.renew(keys=[KEYS.claims], args=[9000, "dead"]) == 0


def test_claims_wake_block_waiters(client: redis.Redis) -> None:
    scripts = Scripts(client)
    subscribe(scripts, ["a", "b", "c"])
    client.hset(KEYS.stats, "waiters", 2)
    claim(scripts, "1")
    assert client.llen(KEYS.room) == 2


def test_concurrent_claims_take_each_event_once(server: RedisServer, client: redis.Redis) -> None:
    taken: list[list[bytes]] = [[], []]

    def claimer(slot: int) -> None:
        own = redis.Redis.from_url(server.url, socket_timeout=10)
        scripts = Scripts(own)
        for n in range(300):
            taken[slot] += claim(scripts, f"{slot}-{n}")
        own.close()

    producer_scripts = Scripts(client)
    threads = [spawn(claimer, 0), spawn(claimer, 1)]
    sent = [f"e{n}" for n in range(600)]
    for seq, event in enumerate(sent):
        assert subscribe(producer_scripts, [event], size=1 << 20, seq=seq)[0] == ACCEPTED
    for thread in threads:
        join(thread)
    rest = claim(producer_scripts, "last")
    got = [e.decode() for e in taken[0] + taken[1] + rest]
    assert sorted(got) == sorted(sent)
    assert len(got) == len(set(got))


def test_long_batches_go_through_in_chunks(client: redis.Redis) -> None:
    scripts = Scripts(client)
    events = [f"e{n}" for n in range(20_000)]
    assert subscribe(scripts, events, size=1 << 16) == [ACCEPTED, 0]
    assert len(claim(scripts, "big")) == 20_000
    assert client.llen(KEYS.claim("big")) == 20_000
