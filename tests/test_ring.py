"""The ring buffer under the store: FIFO order across wrap-around, slots cleared."""

from __future__ import annotations

import pytest

from goeventbus.ring import Ring


def test_fifo_across_wraparound() -> None:
    ring: Ring[int] = Ring(4)
    for value in range(3):
        ring.offer(value)
    assert ring.pop_oldest() == 0
    for value in range(3, 5):
        assert ring.offer(value)
    assert len(ring) == 4
    assert not ring.offer(99)
    assert ring.take_all() == [1, 2, 3, 4]
    assert len(ring) == 0
    assert ring.take_all() == []


def test_take_all_clears_slots() -> None:
    ring: Ring[object] = Ring(2)
    ring.offer(object())
    ring.pop_oldest()
    ring.offer("a")
    ring.offer("b")
    assert ring.take_all() == ["a", "b"]
    assert ring._slots == [None, None]


@pytest.mark.parametrize("bad", [0, 3, -4])
def test_capacity_must_be_power_of_two(bad: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        Ring(bad)
