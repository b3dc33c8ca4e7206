"""``compare OLD NEW``: the benchmarks whose median moved, significantly, between two runs.

A change counts when it is at least ``min_change`` and the 95 % bootstrap interval
of the ratio of medians (resampling each run's values) excludes 1: a median that
moved within the noise of this machine is not reported as a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from goeventbus_bench.results import Measurement, load

RESAMPLES = 2000


@dataclass(frozen=True)
class Change:
    name: str
    old: Measurement
    new: Measurement
    #: new median / old median
    ratio: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 1.0 or self.high < 1.0


def bootstrap_ratio(old: Measurement, new: Measurement, seed: int = 0) -> tuple[float, float]:
    """95 % interval of median(new) / median(old)."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(old.values), np.asarray(new.values)
    old_medians = np.median(rng.choice(a, size=(RESAMPLES, a.size)), axis=1)
    new_medians = np.median(rng.choice(b, size=(RESAMPLES, b.size)), axis=1)
    low, high = np.percentile(new_medians / old_medians, [2.5, 97.5])
    return float(low), float(high)


def changes(old_path: Path, new_path: Path) -> tuple[list[Change], list[str], list[str]]:
    """Every benchmark in both runs, and the names found in only one of them."""
    old = {m.name: m for m in load([old_path])}
    new = {m.name: m for m in load([new_path])}
    found = []
    for name in old.keys() & new.keys():
        low, high = bootstrap_ratio(old[name], new[name])
        found.append(
            Change(name, old[name], new[name], new[name].median / old[name].median, low, high)
        )
    found.sort(key=lambda change: change.ratio)
    return found, sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())


def _ns(measurement: Measurement) -> str:
    return f"{measurement.ns:,.1f}"


def table(old_path: Path, new_path: Path, min_change: float = 0.05) -> str:
    found, only_old, only_new = changes(old_path, new_path)
    moved = [c for c in found if c.significant and abs(c.ratio - 1.0) >= min_change]
    lines = [
        f"# {new_path} against {old_path}",
        "",
        f"{len(moved)} of {len(found)} benchmarks changed by at least {min_change:.0%} "
        "with a 95 % bootstrap interval of the ratio of medians that excludes 1.",
        "",
    ]
    if moved:
        lines += [
            "| benchmark | old (ns) | new (ns) | new/old | 95 % interval | |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        lines += [
            f"| {c.name} | {_ns(c.old)} | {_ns(c.new)} | {c.ratio:.3f} "
            f"| {c.low:.3f}-{c.high:.3f} | {'faster' if c.ratio < 1 else 'slower'} |"
            for c in moved
        ]
    for label, names in (("only in the old run", only_old), ("only in the new run", only_new)):
        if names:
            lines += ["", f"{label.capitalize()}: {', '.join(names)}."]
    return "\n".join(lines) + "\n"
