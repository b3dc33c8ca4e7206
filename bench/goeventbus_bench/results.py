"""Reading runs back: pyperf suite files as measurements with their matrix coordinates."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyperf

from goeventbus_bench.matrix import METADATA_PREFIX
from goeventbus_bench.registry import BASELINE, PEER


@dataclass(frozen=True)
class Measurement:
    name: str
    case: str
    subject: str
    kind: str
    workers: int
    operation: str
    #: seconds per operation, every value of every process
    values: tuple[float, ...]
    go_shaped: bool = False
    honest: str | None = None
    version: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def stdev(self) -> float:
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    @property
    def ns(self) -> float:
        return self.median * 1e9

    @property
    def spread(self) -> float:
        """Standard deviation relative to the median."""
        return self.stdev / self.median if self.median else 0.0

    @property
    def quartiles_ns(self) -> tuple[float, float]:
        """First and third quartiles in ns: the whiskers of every plot."""
        if len(self.values) < 2:
            return self.ns, self.ns
        q1, _, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        return q1 * 1e9, q3 * 1e9


def _ours(bench: pyperf.Benchmark) -> dict[str, Any]:
    meta = bench.get_metadata()
    return {
        key[len(METADATA_PREFIX) :]: value
        for key, value in meta.items()
        if key.startswith(METADATA_PREFIX)
    }


def measurement(bench: pyperf.Benchmark) -> Measurement:
    meta = _ours(bench)
    if "case" not in meta:
        raise ValueError(
            f"{bench.get_name()} was not written by goeventbus_bench (no {METADATA_PREFIX}case)"
        )
    return Measurement(
        name=bench.get_name(),
        case=str(meta["case"]),
        subject=str(meta["subject"]),
        kind=str(meta["kind"]),
        workers=int(meta.get("workers", 1)),
        operation=str(meta.get("operation", "operation")),
        values=tuple(bench.get_values()),
        go_shaped=bool(int(meta.get("go_shaped", 0))),
        honest=str(meta["honest"]) if meta.get("honest") else None,
        version=str(meta.get("version", "")),
    )


def load_suite(paths: Sequence[Path]) -> pyperf.BenchmarkSuite:
    """One suite from several files; a benchmark in more than one file pools its runs."""
    if not paths:
        raise ValueError("no result files given")
    suite = pyperf.BenchmarkSuite.load(str(paths[0]))
    for path in paths[1:]:
        for bench in pyperf.BenchmarkSuite.load(str(path)).get_benchmarks():
            if bench.get_name() in suite.get_benchmark_names():
                suite.get_benchmark(bench.get_name()).add_runs(bench)
            else:
                suite.add_benchmark(bench)
    return suite


def load(paths: Sequence[Path]) -> list[Measurement]:
    return [measurement(bench) for bench in load_suite(paths).get_benchmarks()]


class Table:
    """Measurements indexed by coordinates, with the two reference points of every ratio."""

    def __init__(self, measurements: Iterable[Measurement]) -> None:
        self.all = list(measurements)
        self._index = {(m.case, m.subject, m.workers): m for m in self.all}

    def get(self, case: str, subject: str, workers: int = 1) -> Measurement | None:
        return self._index.get((case, subject, workers))

    def subjects(self, kind: str) -> list[str]:
        return list(dict.fromkeys(m.subject for m in self.all if m.kind == kind))

    def cases(self) -> list[str]:
        return list(dict.fromkeys(m.case for m in self.all))

    @property
    def floor(self) -> Measurement | None:
        """A direct handler call: the least delivering one event can cost."""
        return self.get("Deliver", "floor")

    @property
    def best_peer(self) -> Measurement | None:
        peers = [m for m in self.all if m.kind == PEER and m.case == "Deliver"]
        return min(peers, key=lambda m: m.median, default=None)

    def baselines(self) -> list[Measurement]:
        return [m for m in self.all if m.kind == BASELINE]
