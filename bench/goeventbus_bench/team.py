"""Several processes timed as one, for stores shared across processes.

Threads can share one store object; processes share only what a distributed store
keeps on its server. A team of spawned processes, each with its own handle built by
``factory``, is started once per benchmark process (outside the timed region) and
reused; ``across_processes`` times the team doing ``loops`` operations between them,
as ``timing.parallel`` does for threads.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from goeventbus_bench.timing import JOIN_TIMEOUT, perf_counter

__all__ = ["across_processes"]

#: builds, in a member process, what it does for a share of the loops
Factory = Callable[[], Callable[[int], None]]

_READY, _DONE = "ready", "done"


def _member(link: Connection, factory: Factory) -> None:
    work = factory()
    link.send(_READY)
    while (share := link.recv()) is not None:
        try:
            work(share)
        except BaseException as exc:
            link.send(f"{type(exc).__name__}: {exc}")
            raise
        link.send(_DONE)


class Team:
    def __init__(self, factory: Factory, size: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.links: list[Connection] = []
        self.processes: list[Any] = []
        for number in range(size):
            ours, theirs = spawn.Pipe()
            process = spawn.Process(
                target=_member, args=(theirs, factory), name=f"bench-member-{number}", daemon=True
            )
            process.start()
            theirs.close()
            self.links.append(ours)
            self.processes.append(process)
        self._collect(_READY)

    def _collect(self, expected: str) -> None:
        for number, link in enumerate(self.links):
            if not link.poll(JOIN_TIMEOUT):
                raise RuntimeError(f"team member {number} silent for {JOIN_TIMEOUT} s")
            answer = link.recv()
            if answer != expected:
                raise RuntimeError(f"team member {number} failed: {answer}")

    def run(self, loops: int) -> float:
        size = len(self.links)
        shares = [loops // size + (1 if i < loops % size else 0) for i in range(size)]
        started = perf_counter()
        for link, share in zip(self.links, shares, strict=True):
            link.send(share)
        self._collect(_DONE)
        return perf_counter() - started

    def stop(self) -> None:
        for link in self.links:
            with contextlib.suppress(OSError):  # that member is gone already
                link.send(None)
        for process in self.processes:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()


_TEAMS: dict[tuple[Any, int], Team] = {}


def across_processes(workers: int, loops: int, key: Any, factory: Factory) -> float:
    """Seconds for ``workers`` processes to do ``loops`` operations between them.

    The team for ``key`` is started on first use and stopped when this process exits.
    """
    team = _TEAMS.get((key, workers))
    if team is None:
        team = _TEAMS[key, workers] = Team(factory, workers)
    return team.run(loops)


@atexit.register
def _stop_teams() -> None:
    for team in _TEAMS.values():
        team.stop()
    _TEAMS.clear()
