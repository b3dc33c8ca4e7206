"""The convoy-free lock acquisition of the hot paths: still a mutex, never a hang."""

from __future__ import annotations

import threading

from goeventbus.locking import acquire_contended
from tests.conftest import WAIT, join, spawn


def take(lock: threading.Lock) -> None:
    if not lock.acquire(False):
        acquire_contended(lock)


def test_a_held_lock_is_acquired_once_its_holder_releases_it() -> None:
    lock = threading.Lock()
    lock.acquire()
    got = threading.Event()

    def waiter() -> None:
        take(lock)
        got.set()

    thread = spawn(waiter)
    assert not got.wait(0.05), "acquired a lock that was still held"
    lock.release()
    assert got.wait(WAIT), "never acquired the released lock"
    join(thread)
    lock.release()


def test_it_excludes_like_a_lock_under_contention() -> None:
    lock = threading.Lock()
    counter = [0]

    def work() -> None:
        for _ in range(2000):
            take(lock)
            try:
                value = counter[0]
                counter[0] = value + 1
            finally:
                lock.release()

    threads = [spawn(work) for _ in range(8)]
    for thread in threads:
        join(thread)
    assert counter[0] == 16000
