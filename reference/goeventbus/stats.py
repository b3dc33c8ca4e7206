"""Snapshots of the store's accounting (SEMANTICS section 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Metrics(NamedTuple):
    """Go's ``Metrics()`` triple, so ``published, processed, errors = store.metrics()`` works."""

    published: int
    processed: int
    errors: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Every counter, taken atomically.

    At a quiescent moment ``published + immediate == processed + unhandled + dropped
    + discarded + pending + in_flight``: each accepted event is in exactly one bucket.
    """

    published: int = 0
    processed: int = 0
    errors: int = 0
    dropped: int = 0
    unhandled: int = 0
    discarded: int = 0
    rejected: int = 0
    pending: int = 0
    in_flight: int = 0
    immediate: int = 0
    timers_pending: int = 0
    timers_cancelled: int = 0

    @property
    def balanced(self) -> bool:
        """Whether the accounting law holds for this snapshot."""
        accounted = (
            self.processed
            + self.unhandled
            + self.dropped
            + self.discarded
            + self.pending
            + self.in_flight
        )
        return self.published + self.immediate == accounted

    def metrics(self) -> Metrics:
        return Metrics(self.published, self.processed, self.errors)
