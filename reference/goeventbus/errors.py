"""The exception hierarchy every implementation raises.

One base class lets a caller write ``except EventBusError`` around any store call;
the context errors mirror Go's ``context.DeadlineExceeded``/``context.Canceled`` and
are new instances on every ``ctx.err()`` so that raising one never shares a
traceback between threads.
"""

from __future__ import annotations


class EventBusError(Exception):
    """Base class of every error raised by an event store."""

    #: Set by ``subscribe_many`` on the error it raises: events accepted before it.
    accepted: int | None = None


class BufferFullError(EventBusError):
    """The ring buffer had no room and the policy (or the request) forbade waiting."""


class StoreClosedError(EventBusError):
    """The store was closed before or while the call ran."""


class ContextError(EventBusError):
    """The context the caller supplied ended before the call could complete."""


class DeadlineExceededError(ContextError, TimeoutError):
    """The context's deadline passed (also a ``TimeoutError`` for generic handlers)."""


class ContextCancelledError(ContextError):
    """The context, or one of its parents, was cancelled."""
