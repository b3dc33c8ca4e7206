"""Instructions per operation, counted by callgrind: a noise-free view of the hot paths.

    for n in 0 65536; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python bench/tools/instructions.py native:subscribe $n 2>&1 | grep Collected; done

The difference of the two totals divided by 65536 is the cost of one operation
(the setup is the same in both runs). Workloads: ``deque-baseline``, and
``IMPL:subscribe`` or ``IMPL:enqueue-dispatch`` for a registered implementation.
Wall-clock figures come from the harness; this shows how much of a gap is
interpreter work and how much is something else (atomic operations, allocation).
"""

from __future__ import annotations

import sys
from collections import deque
from typing import Any

from goeventbus import Context, Event
from goeventbus_conformance.loading import resolve

EVENT = Event("id", "p", {"k": "v"})
CTX = Context.background()


def handler(ctx: Context, args: dict[str, Any]) -> None:
    return None


def main(workload: str, n: int) -> None:
    if workload == "deque-baseline":
        queue: deque[Event] = deque()
        append, popleft, table = queue.append, queue.popleft, {"p": handler}
        for _ in range(n):
            append(EVENT)
            item = popleft()
            table[item.projection](CTX, item.args)
        return
    impl, _, operation = workload.partition(":")
    store = resolve(impl).cls({"p": handler}, 1 << 16)
    subscribe, publish = store.subscribe, store.publish
    if operation == "subscribe":
        for _ in range(1 << 16):  # fill the ring: every measured subscribe drops the oldest
            subscribe(EVENT)
        for _ in range(n):
            subscribe(EVENT)
    elif operation == "enqueue-dispatch":
        for _ in range(n // 1024):
            for _ in range(1024):
                subscribe(EVENT)
            publish()
    else:
        sys.exit(f"unknown workload {workload!r}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
