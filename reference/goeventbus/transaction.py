"""A local buffer of events that reach the store all at once or not at all (SEMANTICS section 7)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

from goeventbus.context import Context
from goeventbus.event import Event
from goeventbus.validation import check_ctx, check_event

if TYPE_CHECKING:
    from goeventbus.store import EventStore

__all__ = ["Transaction"]


class Transaction:
    """Made by ``EventStore.begin_transaction()``.

    ``rollback`` only empties this buffer: unlike Go, which rewinds the shared ring's
    head, it can never destroy events other producers enqueued meanwhile.
    """

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def publish(self, event: Event) -> None:
        """Validate ``event`` now (as ``subscribe`` would) and buffer it until ``commit``."""
        check_event(event)
        with self._lock:
            self._events.append(event)

    def commit(self, ctx: Context | None = None) -> None:
        """Enqueue every buffered event at once, then dispatch up to the last of them.

        If one of this transaction's handlers raises, the rest are discarded and the
        exception is re-raised here. A refused commit keeps the buffer for a retry.
        """
        check_ctx(ctx)
        with self._lock:
            if not self._events:
                return
            batch, first = self._store._enqueue_transaction(self._events, ctx)
            self._events = []
        self._store._dispatch_sync(batch, first)

    def rollback(self) -> None:
        with self._lock:
            self._events = []

    def __len__(self) -> int:
        return len(self._events)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
