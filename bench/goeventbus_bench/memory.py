"""Peak memory of a DROP_OLDEST store under a long stream of events.

``python -m goeventbus_bench.memory SUBJECT`` streams events (one million at full
size) through a store of 65536 slots, dropping the oldest once it is full and
publishing every ``ring`` events, and prints what ``tracemalloc`` traced: after the
ring first filled, the peak during the stream, and at the end. A store that keeps
nothing it should not has a peak no higher than the filled ring's.
"""

from __future__ import annotations

import argparse
import gc
import json
import tracemalloc
from dataclasses import asdict, dataclass
from typing import Any

from goeventbus import Context, Event
from goeventbus_bench.subjects import find

PROJECTION = "p"


def handler(ctx: Context, args: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Footprint:
    ring: int
    events: int
    filled_kib: float
    peak_kib: float
    final_kib: float

    @property
    def growth(self) -> float:
        return self.peak_kib / self.filled_kib if self.filled_kib else float("nan")


def measure(cls: Any, ring: int, events: int) -> Footprint:
    gc.collect()
    tracemalloc.start()
    try:
        with cls({PROJECTION: handler}, ring) as store:
            subscribe = store.subscribe
            for i in range(ring):
                subscribe(Event("id", PROJECTION, {"i": i}))
            gc.collect()
            filled = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            for i in range(events):
                subscribe(Event("id", PROJECTION, {"i": i}))
                if i % (4 * ring) == 0:
                    store.publish()
            gc.collect()
            final, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Footprint(ring, events, filled / 1024, peak / 1024, final / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("subject", help="implementation name or module:Class")
    parser.add_argument("--ring", type=int, default=1 << 16)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    footprint = measure(find(args.subject).load(), args.ring, args.events)
    print(json.dumps(asdict(footprint)))


if __name__ == "__main__":
    main()
