"""Go's ``context.Context`` for Python: deadlines, cancellation and request values.

A context is immutable once made except for its cancellation, which flows from a
parent to every live child. Deadlines are evaluated lazily against
``time.monotonic()``, so no timer thread exists per context; code that must wake
up on cancellation registers a callback with ``_on_cancel`` (waiting for a deadline
is a plain timed wait).
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any

from goeventbus.errors import ContextCancelledError, ContextError, DeadlineExceededError

__all__ = ["CancelFunc", "Context"]

CancelFunc = Callable[[], None]

_log = logging.getLogger("goeventbus")
_tree_lock = threading.Lock()
_NO_KEY: Any = object()
_MESSAGES: dict[type[ContextError], str] = {
    DeadlineExceededError: "context deadline exceeded",
    ContextCancelledError: "context canceled",
}


def _nothing() -> None:
    return None


def _seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{what} must be a number of seconds, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{what} must not be NaN")
    return float(value)


class Context:
    """Carries a deadline, a cancellation signal and values across API boundaries.

    Build one from ``Context.background()``; every ``with_*`` method returns a new
    child and leaves its parent unchanged.
    """

    __slots__ = (
        "__weakref__",
        "_callbacks",
        "_cancellable",
        "_children",
        "_deadline",
        "_key",
        "_parent",
        "_reason",
        "_value",
    )

    def __init__(self) -> None:
        self._parent: Context | None = None
        self._deadline: float | None = None
        self._key: Any = _NO_KEY
        self._value: Any = None
        self._cancellable = False
        self._reason: type[ContextError] | None = None
        self._children: weakref.WeakSet[Context] | None = None
        self._callbacks: list[Callable[[], None]] | None = None

    @staticmethod
    def background() -> Context:
        """The root context: never cancelled, no deadline, no values."""
        return _BACKGROUND

    # -- deriving -----------------------------------------------------------------

    def _child(self, deadline: float | None, cancellable: bool) -> Context:
        child = Context()
        child._parent = self
        child._deadline = deadline
        child._cancellable = cancellable or self._cancellable
        if self._cancellable:
            with _tree_lock:
                if self._reason is not None:
                    child._reason = self._reason
                else:
                    if self._children is None:
                        self._children = weakref.WeakSet()
                    self._children.add(child)
        return child

    def with_deadline(self, monotonic_seconds: float) -> Context:
        """A child that ends at ``monotonic_seconds`` (a ``time.monotonic()`` value) or earlier."""
        deadline = _seconds(monotonic_seconds, "deadline")
        if self._deadline is not None:
            deadline = min(deadline, self._deadline)
        return self._child(deadline, cancellable=False)

    def with_timeout(self, seconds: float) -> Context:
        """A child that ends ``seconds`` from now (or earlier, if the parent does)."""
        return self.with_deadline(monotonic() + _seconds(seconds, "timeout"))

    def with_cancel(self) -> tuple[Context, CancelFunc]:
        """A child and the function that cancels it (and all its descendants); idempotent."""
        child = self._child(self._deadline, cancellable=True)
        return child, child._cancel

    def with_value(self, key: Hashable, value: Any) -> Context:
        """A child that answers ``value(key)`` with ``value``."""
        child = self._child(self._deadline, cancellable=False)
        child._key = key
        child._value = value
        return child

    # -- querying -----------------------------------------------------------------

    @property
    def deadline(self) -> float | None:
        """The ``time.monotonic()`` instant at which this context ends, if any."""
        return self._deadline

    def value(self, key: Hashable) -> Any:
        """The value bound to ``key`` here or in the nearest ancestor, else ``None``."""
        node: Context | None = self
        while node is not None:
            if node._key is not _NO_KEY and node._key == key:
                return node._value
            node = node._parent
        return None

    def err(self) -> ContextError | None:
        """Why this context ended (a fresh exception each call), or ``None`` while it lives."""
        reason = self._reason
        if reason is None:
            if self._deadline is None or monotonic() < self._deadline:
                return None
            reason = DeadlineExceededError
        return reason(_MESSAGES[reason])

    def done(self) -> bool:
        return self.err() is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until this context ends or ``timeout`` seconds pass; return ``done()``."""
        end = math.inf if timeout is None else monotonic() + _seconds(timeout, "timeout")
        if self._deadline is not None:
            end = min(end, self._deadline)
        woken = threading.Event()
        remove = self._on_cancel(woken.set)
        try:
            while not self.done():
                remaining = end - monotonic()
                if remaining <= 0:
                    break
                woken.wait(None if remaining == math.inf else remaining)
        finally:
            remove()
        return self.done()

    # -- cancellation -------------------------------------------------------------

    def _on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` once if this context is cancelled; return a remover.

        Not called for a deadline: waiters bound their waits by ``deadline`` instead.
        If the context is already cancelled nothing is registered; callers check
        ``err()`` after registering, so no wake-up is lost.
        """
        if not self._cancellable:
            return _nothing
        with _tree_lock:
            if self._reason is not None:
                return _nothing
            if self._callbacks is None:
                self._callbacks = []
            self._callbacks.append(callback)

        def remove() -> None:
            with _tree_lock:
                if self._callbacks is not None and callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def _cancel(self) -> None:
        callbacks: list[Callable[[], None]] = []
        with _tree_lock:
            self._mark_cancelled(callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                _log.exception("context cancellation callback %r raised", callback)

    def _mark_cancelled(self, callbacks: list[Callable[[], None]]) -> None:
        if self._reason is not None:
            return
        expired = self._deadline is not None and monotonic() >= self._deadline
        self._reason = DeadlineExceededError if expired else ContextCancelledError
        callbacks.extend(self._callbacks or ())
        self._callbacks = None
        for child in list(self._children or ()):
            child._mark_cancelled(callbacks)
        self._children = None

    def __repr__(self) -> str:
        parts = []
        if self._deadline is not None:
            parts.append(f"deadline={self._deadline:.6f}")
        if self._key is not _NO_KEY:
            parts.append(f"{self._key!r}={self._value!r}")
        if self._reason is not None:
            parts.append(_MESSAGES[self._reason])
        return (
            f"Context({', '.join(parts)})" if self._parent is not None else "Context.background()"
        )


_BACKGROUND = Context()
