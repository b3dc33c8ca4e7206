"""The live progress line of a long run: benchmarks done of total, elapsed, ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


class Progress:
    """One line per finished benchmark; the ETA assumes the rest cost what the done ones did."""

    def __init__(self, total: int, stream: TextIO = sys.stdout) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.stream = stream

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def eta(self) -> float:
        if not self.done:
            return float("nan")
        return self.elapsed / self.done * (self.total - self.done)

    def advance(self, name: str, outcome: str) -> None:
        self.done += 1
        width = len(str(self.total))
        eta = clock(self.eta()) if self.done < self.total else "done"
        self.stream.write(
            f"[{self.done:>{width}}/{self.total}] {clock(self.elapsed)} ETA {eta:>7}  "
            f"{name}  {outcome}\n"
        )
        self.stream.flush()
