"""How big each case's work is: the full profile for figures, the quick one for smoke runs.

pyperf calibrates how many operations make one value; these sizes fix what one
operation is (how many events a batch holds, how full a ring gets).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    name: str
    #: ring size of the stores, Go's default 1 << 16
    ring: int
    #: events per publish in the per-event cases
    batch: int
    #: events in one subscribe_many call
    many: int
    #: ring size of SubscribeBlockPolicy, which publishes each time the ring fills
    block_ring: int
    #: events per transaction
    transaction: int
    #: bytes of the large payload, Go's 1 KiB
    payload: int
    #: events streamed through a full ring by the memory measurement
    memory_events: int
    #: pyperf options for this profile
    pyperf: tuple[str, ...]


FULL = Sizes(
    name="full",
    ring=1 << 16,
    batch=1024,
    many=256,
    block_ring=1024,
    transaction=10,
    payload=1024,
    memory_events=1_000_000,
    pyperf=("--processes=6", "--values=3", "--warmups=1", "--min-time=0.1"),
)

QUICK = Sizes(
    name="quick",
    ring=1 << 10,
    batch=64,
    many=64,
    block_ring=64,
    transaction=10,
    payload=1024,
    memory_events=20_000,
    pyperf=("--processes=1", "--values=3", "--warmups=1", "--min-time=0.005"),
)

PROFILES = {sizes.name: sizes for sizes in (FULL, QUICK)}
