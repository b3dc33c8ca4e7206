"""goeventbus: the Python reference implementation of the GoEventBus event bus.

The value types, errors and clocks exported here are the shared vocabulary of every
implementation; ``EventStore`` is the reference store. The contract they follow is
SEMANTICS.md.
"""

from goeventbus.clock import Clock, ClockHandle, ManualClock, SystemClock, default_clock
from goeventbus.context import CancelFunc, Context
from goeventbus.errors import (
    BufferFullError,
    ContextCancelledError,
    ContextError,
    DeadlineExceededError,
    EventBusError,
    StoreClosedError,
)
from goeventbus.event import Event, Result
from goeventbus.pipeline import AfterHook, BeforeHook, Dispatcher, ErrorHook, Handler, Middleware
from goeventbus.policies import OverrunPolicy
from goeventbus.stats import Metrics, Stats
from goeventbus.store import EventStore
from goeventbus.timer import Timer
from goeventbus.transaction import Transaction

__version__ = "0.1.0"

__all__ = [
    "AfterHook",
    "BeforeHook",
    "BufferFullError",
    "CancelFunc",
    "Clock",
    "ClockHandle",
    "Context",
    "ContextCancelledError",
    "ContextError",
    "DeadlineExceededError",
    "Dispatcher",
    "ErrorHook",
    "Event",
    "EventBusError",
    "EventStore",
    "Handler",
    "ManualClock",
    "Metrics",
    "Middleware",
    "OverrunPolicy",
    "Result",
    "Stats",
    "StoreClosedError",
    "SystemClock",
    "Timer",
    "Transaction",
    "default_clock",
]
