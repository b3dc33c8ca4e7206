"""Timing helpers shared by the cases: the clock, and several threads timed as one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import perf_counter

__all__ = ["parallel", "perf_counter"]

#: A benchmark thread still running after this long is a hang, not a slow case.
JOIN_TIMEOUT = 600.0


def parallel(workers: int, loops: int, work: Callable[[int], None]) -> float:
    """Seconds for ``workers`` threads to do ``loops`` operations between them.

    The threads start together behind a barrier, so the figure is aggregate
    time per operation under contention, not one thread's latency.
    """
    shares = [loops // workers + (1 if i < loops % workers else 0) for i in range(workers)]
    barrier = threading.Barrier(workers + 1)
    errors: list[BaseException] = []

    def run(share: int) -> None:
        try:
            barrier.wait(JOIN_TIMEOUT)
            work(share)
        except BaseException as exc:  # reported to the timing thread below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(share,), name=f"bench-{i}", daemon=True)
        for i, share in enumerate(shares)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(JOIN_TIMEOUT)
    started = perf_counter()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"{thread.name} still running after {JOIN_TIMEOUT}s")
    elapsed = perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed
