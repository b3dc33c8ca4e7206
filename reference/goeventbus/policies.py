"""What ``subscribe`` does when the ring is full."""

from __future__ import annotations

import enum


class OverrunPolicy(enum.Enum):
    """Back-pressure policy, the three of GoEventBus."""

    #: Discard the oldest pending event (counted in ``Stats.dropped``) to make room.
    DROP_OLDEST = "drop_oldest"
    #: Wait, without spinning, until a publish frees room, the context ends or the store closes.
    BLOCK = "block"
    #: Raise ``BufferFullError`` at once.
    RETURN_ERROR = "return_error"
