"""Argument checks shared by the store, its transactions and its scheduler.

Every check raises before anything is changed, with a message naming the bad value,
so that a refused call leaves the store exactly as it was (SEMANTICS section 2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from goeventbus.context import Context
from goeventbus.event import Event
from goeventbus.policies import OverrunPolicy


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def check_event(event: object) -> None:
    if not isinstance(event, Event):
        raise TypeError(f"expected an Event, got {_describe(event)}")
    try:
        hash(event.projection)
    except TypeError:
        raise TypeError(
            f"event projection must be hashable, got {_describe(event.projection)}"
        ) from None
    args = event.args
    if args is not None and not isinstance(args, dict):
        raise TypeError(f"event args must be a dict or None, got {_describe(args)}")


def check_ctx(ctx: object) -> None:
    if ctx is not None and not isinstance(ctx, Context):
        raise TypeError(f"ctx must be a goeventbus.Context or None, got {_describe(ctx)}")


def check_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"size must be an int, got {_describe(size)}")
    if size < 1 or size & (size - 1):
        raise ValueError(f"size must be a power of two and at least 1, got {size!r}")
    return size


def check_policy(policy: object) -> OverrunPolicy:
    if not isinstance(policy, OverrunPolicy):
        raise TypeError(f"policy must be an OverrunPolicy, got {_describe(policy)}")
    return policy


def check_workers(workers: object) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers must be an int or None, got {_describe(workers)}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    return workers


def check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_describe(value)}")
    return value


def check_dispatcher(dispatcher: object) -> Mapping[Any, Any]:
    if not isinstance(dispatcher, Mapping):
        raise TypeError(
            f"dispatcher must be a mapping from projection to handler, got {_describe(dispatcher)}"
        )
    return dispatcher


def check_clock(clock: object) -> None:
    for method in ("now", "call_later"):
        if not callable(getattr(clock, method, None)):
            raise TypeError(f"clock must have a {method}() method, got {_describe(clock)}")


def check_callable(what: str, fn: object) -> None:
    if not callable(fn):
        raise TypeError(f"{what} must be callable, got {_describe(fn)}")


def _finite(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{what} must be a number, got {_describe(value)}")
    seconds = float(value)
    if math.isnan(seconds):
        raise ValueError(f"{what} must not be NaN")
    return seconds


def due_time(at: object) -> float:
    """``schedule``'s ``at``: a clock timestamp, or a ``datetime`` (naive means local)."""
    if isinstance(at, datetime):
        return at.timestamp()
    return _finite("at", at)


def delay_seconds(delay: object) -> float:
    """``schedule_after``'s ``delay``: seconds, or a ``timedelta``."""
    if isinstance(delay, timedelta):
        return delay.total_seconds()
    return _finite("delay", delay)
