"""How subjects look in every plot and table: one colour and one order for each."""

from __future__ import annotations

from goeventbus_bench.registry import BASELINE, IMPLEMENTATION, PEER
from goeventbus_bench.results import Table

ANCHOR_COLOUR = "#222222"
_IMPLEMENTATION = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#17becf", "#8c564b", "#e377c2"]
_BASELINE = ["#4d4d4d", "#7a7a7a", "#a6a6a6", "#c8c8c8"]
_PEER = ["#ff7f0e", "#bcbd22", "#f2b36b", "#c49c94"]


def subjects(table: Table) -> list[str]:
    """Implementations first, then baselines, then peers: the order of every legend."""
    return [name for kind in (IMPLEMENTATION, BASELINE, PEER) for name in table.subjects(kind)]


def colours(table: Table) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for kind, palette in ((IMPLEMENTATION, _IMPLEMENTATION), (BASELINE, _BASELINE), (PEER, _PEER)):
        for i, name in enumerate(table.subjects(kind)):
            chosen[name] = palette[i % len(palette)]
    return chosen


def ns(value: float) -> str:
    """A duration in nanoseconds, to three significant figures, in the unit that suits it."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} ns"


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-").lower()
