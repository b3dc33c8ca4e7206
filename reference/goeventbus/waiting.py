"""Waiting on a store condition while honouring a ``Context``, without polling.

Cancellation wakes the waiter through a callback registered on the context; a
deadline bounds each ``Condition.wait``. Either way the waiter re-checks both its
predicate and the context, so spurious or early wake-ups are harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic

from goeventbus.context import Context

__all__ = ["wait_until"]


def wait_until(
    condition: threading.Condition, ready: Callable[[], bool], ctx: Context | None
) -> None:
    """Block until ``ready()``; raise ``ctx.err()`` if the context ends first.

    The caller holds ``condition``'s lock, as with ``Condition.wait_for``.
    """
    if ready():
        return
    if ctx is None:
        ctx = Context.background()

    def wake() -> None:
        with condition:
            condition.notify_all()

    remove = ctx._on_cancel(wake)
    try:
        while not ready():
            err = ctx.err()
            if err is not None:
                raise err
            deadline = ctx.deadline
            condition.wait(None if deadline is None else max(0.0, deadline - monotonic()))
    finally:
        remove()
