"""The thread pool behind async mode, started on first use so sync stores own no thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

__all__ = ["WorkerPool"]

T = TypeVar("T")
_STOP = object()


class WorkerPool(Generic[T]):
    """``count`` daemon threads running ``work(item)`` for every submitted item.

    Daemon threads, so a store that is never closed does not keep the interpreter
    alive; ``work`` must not raise (the store's worker function catches everything).
    """

    def __init__(self, count: int, work: Callable[[T], None], name: str) -> None:
        self._count = count
        self._work = work
        self._name = name
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idents: set[int] = set()

    def submit(self, items: Iterable[T]) -> None:
        if not self._threads:
            self._start()
        put = self._queue.put
        for item in items:
            put(item)

    def _start(self) -> None:
        with self._lock:
            if self._threads:
                return
            for number in range(self._count):
                thread = threading.Thread(
                    target=self._loop, name=f"{self._name}-{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _loop(self) -> None:
        me = threading.get_ident()
        self._idents.add(me)
        get, work = self._queue.get, self._work
        try:
            while (item := get()) is not _STOP:
                work(item)  # type: ignore[arg-type]
        finally:
            self._idents.discard(me)

    def on_worker(self) -> bool:
        """Whether the calling thread is one of this pool's workers."""
        return threading.get_ident() in self._idents

    def stop(self) -> None:
        """Ask every worker to exit once the items queued before this call are done."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(_STOP)
