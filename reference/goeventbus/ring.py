"""A fixed-capacity FIFO on a preallocated power-of-two array, as in GoEventBus.

Positions are ever-growing counters masked into the array, so "full" and "empty"
never need a spare slot; claimed slots are cleared at once so that the ring never
keeps a dispatched event (or its payload) alive.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["Ring"]

T = TypeVar("T")


class Ring(Generic[T]):
    __slots__ = ("_head", "_mask", "_slots", "_tail", "capacity")

    def __init__(self, capacity: int) -> None:
        if capacity < 1 or capacity & (capacity - 1):
            raise ValueError(f"ring capacity must be a power of two, got {capacity!r}")
        self.capacity = capacity
        self._slots: list[T | None] = [None] * capacity
        self._mask = capacity - 1
        self._head = 0  # position of the next push
        self._tail = 0  # position of the oldest item

    def __len__(self) -> int:
        return self._head - self._tail

    def offer(self, item: T) -> bool:
        """Append if there is room; say whether it was appended."""
        head = self._head
        if head - self._tail == self.capacity:
            return False
        self._slots[head & self._mask] = item
        self._head = head + 1
        return True

    def extend(self, items: list[T]) -> None:
        """Append every item, oldest first, with two slice assignments at most."""
        count = len(items)
        if count > self.capacity - len(self):
            raise ValueError(f"no room for {count} items: {len(self)} of {self.capacity} used")
        start = self._head & self._mask
        first = min(count, self.capacity - start)
        self._slots[start : start + first] = items[:first]
        self._slots[: count - first] = items[first:]
        self._head += count

    def drop(self, count: int) -> None:
        """Discard the ``count`` oldest items (usually one: a DROP_OLDEST overwrite)."""
        tail, end = self._tail, self._tail + count
        if end > self._head:
            end = self._head
        slots, mask = self._slots, self._mask
        while tail < end:
            slots[tail & mask] = None
            tail += 1
        self._tail = end

    def pop_oldest(self) -> T:
        index = self._tail & self._mask
        item = self._slots[index]
        self._slots[index] = None
        self._tail += 1
        return item  # type: ignore[return-value]

    def take_all(self) -> list[T]:
        """Remove and return every item, oldest first, with two slice copies at most."""
        count = self._head - self._tail
        if not count:
            return []
        slots = self._slots
        start = self._tail & self._mask
        end = start + count
        if end <= self.capacity:
            items = slots[start:end]
            slots[start:end] = [None] * count
        else:
            end -= self.capacity
            items = slots[start:] + slots[:end]
            slots[start:] = [None] * (self.capacity - start)
            slots[:end] = [None] * end
        self._tail = self._head
        return items  # type: ignore[return-value]
