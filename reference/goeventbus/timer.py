"""What ``schedule`` returns: a handle whose state the store changes under its own lock."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable
    from threading import Lock

    from goeventbus.clock import Clock, ClockHandle

__all__ = ["ScheduledTimer", "Timer", "TimerState"]


@runtime_checkable
class Timer(Protocol):
    """The contract every implementation's timers meet (SEMANTICS section 6)."""

    def cancel(self) -> bool: ...

    @property
    def fired(self) -> bool: ...

    @property
    def cancelled(self) -> bool: ...


class TimerState(enum.Enum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"


class _Owner(Protocol):
    def _cancel_timer(self, timer: ScheduledTimer) -> bool: ...


class ScheduledTimer:
    """The reference store's ``Timer``; ``state`` and ``handle`` belong to the owning store."""

    __slots__ = ("_owner", "handle", "state")

    def __init__(self, owner: _Owner | None, state: TimerState = TimerState.PENDING) -> None:
        self._owner = owner
        self.state = state
        self.handle: ClockHandle | None = None

    def arm(self, clock: Clock, delay: float, fire: Callable[[], None], lock: Lock) -> None:
        """Start ``clock`` for this timer; a ``cancel`` that got in first stops it at once.

        ``lock`` is the owning store's, under which ``state`` and ``handle`` change.
        """
        handle = clock.call_later(delay, fire)
        with lock:
            self.handle = handle
            cancelled_meanwhile = self.state is TimerState.CANCELLED
        if cancelled_meanwhile:
            handle.cancel()

    def cancel(self) -> bool:
        """True when this call stopped the event from firing."""
        if self._owner is None:
            return False
        return self._owner._cancel_timer(self)

    @property
    def fired(self) -> bool:
        return self.state is TimerState.FIRED

    @property
    def cancelled(self) -> bool:
        return self.state is TimerState.CANCELLED

    def __repr__(self) -> str:
        return f"<Timer {self.state.value}>"
