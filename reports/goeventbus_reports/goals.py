"""The performance goals (issues 5 and 6), checked against one run: ratio, target, verdict.

Each goal is data: which implementations it binds, how its ratio is computed from
the measurements (medians of the same run, so the machine's noise mostly cancels),
and the bound. A missed goal says by how much.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from goeventbus_bench.anchor import Anchor
from goeventbus_bench.cases import SHARED_ACROSS_PROCESSES
from goeventbus_bench.redis_floors import PIPELINED, ROUND_TRIP
from goeventbus_bench.registry import IMPLEMENTATION
from goeventbus_bench.results import Table
from goeventbus_reports.tables import markdown_table

#: every in-process implementation (a store on a server has goals of its own)
EVERY = ("*",)
#: peak memory over the stream may exceed the filled ring's by this much and stay "flat"
FLAT = 1.10


@dataclass(frozen=True)
class Evidence:
    table: Table
    go_here: Anchor
    memory: Mapping[str, Mapping[str, float]]

    def median(self, case: str, subject: str, workers: int = 1) -> float | None:
        m = self.table.get(case, subject, workers)
        return m.median if m else None


Ratio = Callable[[Evidence, str], float | None]


@dataclass(frozen=True)
class Goal:
    text: str
    subjects: tuple[str, ...]
    #: what the ratio is, for the reader
    ratio_of: str
    ratio: Ratio
    target: float
    #: True: the ratio must be at most the target; False: at least
    at_most: bool = True


def _over(numerator: tuple[str, str | None], denominator: tuple[str, str | None]) -> Ratio:
    """case[subject] ÷ case[subject]; None as the subject means the implementation itself."""

    def ratio(ev: Evidence, impl: str) -> float | None:
        top = ev.median(numerator[0], numerator[1] or impl)
        bottom = ev.median(denominator[0], denominator[1] or impl)
        return top / bottom if top and bottom else None

    return ratio


def _over_go(case: str) -> Ratio:
    def ratio(ev: Evidence, impl: str) -> float | None:
        ours, go = ev.median(case, impl), ev.go_here.figures.get(case)
        return ours * 1e9 / go if ours and go else None

    return ratio


def _peer_over_impl(ev: Evidence, impl: str) -> float | None:
    peer, ours = ev.table.best_peer, ev.median("Deliver", impl)
    return peer.median / ours if peer and ours else None


def _one_over_eight(ev: Evidence, impl: str) -> float | None:
    one, eight = ev.median("SubscribeParallel", impl, 1), ev.median("SubscribeParallel", impl, 8)
    return one / eight if one and eight else None


def _memory_growth(ev: Evidence, impl: str) -> float | None:
    footprint = ev.memory.get(impl)
    return footprint["peak_kib"] / footprint["filled_kib"] if footprint else None


GOALS = (
    Goal(
        "native: subscribe within 2.5× of Go's Subscribe on this machine",
        ("native",), "Subscribe ÷ Go's Subscribe (23 ns)", _over_go("Subscribe"), 2.5,
    ),
    Goal(
        "native: sync dispatch per event within 1.5× of the dict lookup + call floor",
        ("native",), "Deliver ÷ Deliver[dict+call]",
        _over(("Deliver", None), ("Deliver", "dict+call")), 1.5,
    ),
    Goal(
        "native: EventStore_Sync as fast as Go's on this machine",
        ("native",), "EventStore_Sync ÷ Go's (360 ns)", _over_go("EventStore_Sync"), 1.0,
    ),
    Goal(
        "fast: subscribe + sync dispatch per event within 3× of the deque baseline",
        ("fast",), "EnqueueDispatch ÷ EnqueueDispatch[collections.deque]",
        _over(("EnqueueDispatch", None), ("EnqueueDispatch", "collections.deque")), 3.0,
    ),
    Goal(
        "the reference: within 6× of the deque baseline",
        ("reference",), "EnqueueDispatch ÷ EnqueueDispatch[collections.deque]",
        _over(("EnqueueDispatch", None), ("EnqueueDispatch", "collections.deque")), 6.0,
    ),
    Goal(
        "at least 3× faster than the fastest peer library delivering one event to one handler",
        EVERY, "best peer's Deliver ÷ Deliver", _peer_over_impl, 3.0, at_most=False,
    ),
    Goal(
        "subscribe_many per event at least 2× cheaper than subscribe in a loop",
        EVERY, "Subscribe ÷ SubscribeMany", _over(("Subscribe", None), ("SubscribeMany", None)),
        2.0, at_most=False,
    ),
    Goal(
        "8 workers subscribing to one store: at least 0.9× one worker's throughput",
        EVERY, "throughput with 8 threads ÷ with 1", _one_over_eight, 0.9, at_most=False,
    ),
    Goal(
        "memory flat: a DROP_OLDEST stream's peak within 10 % of the filled ring's",
        EVERY, "peak during the stream ÷ after filling the ring", _memory_growth, FLAT,
    ),
    Goal(
        "redis: subscribe + publish per event within 3× of bare redis-py RPUSH/LPOP",
        ("redis",), f"EnqueueDispatch ÷ EnqueueDispatch[{ROUND_TRIP}]",
        _over(("EnqueueDispatch", None), ("EnqueueDispatch", ROUND_TRIP)), 3.0,
    ),
    Goal(
        "redis: subscribe_many per event within 1.5× of one pipelined RPUSH of the events",
        ("redis",), f"SubscribeMany ÷ SubscribeMany[{PIPELINED}]",
        _over(("SubscribeMany", None), ("SubscribeMany", PIPELINED)), 1.5,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    goal: Goal
    subject: str
    ratio: float | None

    @property
    def met(self) -> bool | None:
        if self.ratio is None:
            return None
        return (
            self.ratio <= self.goal.target if self.goal.at_most else self.ratio >= self.goal.target
        )

    @property
    def word(self) -> str:
        if self.met is None or self.ratio is None:
            return "not measured"
        if self.met:
            return "met"
        shortfall = (
            self.ratio / self.goal.target if self.goal.at_most else self.goal.target / self.ratio
        )
        return f"**missed** by {shortfall - 1:.0%}"


def verdicts(evidence: Evidence) -> list[Verdict]:
    implementations = evidence.table.subjects(IMPLEMENTATION)
    found = []
    for goal in GOALS:
        subjects = (
            [s for s in implementations if s not in SHARED_ACROSS_PROCESSES]
            if goal.subjects == EVERY
            else goal.subjects
        )
        for subject in subjects:
            if subject in implementations:
                found.append(Verdict(goal, subject, goal.ratio(evidence, subject)))
    return found


def section(table: Table, go_here: Anchor, memory: Mapping[str, Mapping[str, float]]) -> list[str]:
    found = verdicts(Evidence(table, go_here, memory))
    if not found:
        return ["No implementation this run measured is bound by a goal."]
    rows = [
        [
            v.goal.text,
            f"**{v.subject}**",
            v.goal.ratio_of,
            "—" if v.ratio is None else f"{v.ratio:.2f}",
            f"{'≤' if v.goal.at_most else '≥'} {v.goal.target:g}",
            v.word,
        ]
        for v in found
    ]
    met = sum(1 for v in found if v.met)
    lines = [f"{met} of {len(found)} met. {go_here.label}: {go_here.source}.", ""]
    return lines + markdown_table(
        ["goal", "implementation", "ratio", "measured", "target", "verdict"], rows, "lllrrl"
    )


def memory_section(memory: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not memory:
        return ["The run did not measure memory (`--no-memory`)."]
    any_run = next(iter(memory.values()))
    rows = [
        [
            f"**{name}**",
            f"{m['filled_kib']:,.0f}",
            f"{m['peak_kib']:,.0f}",
            f"{m['final_kib']:,.0f}",
            f"{m['peak_kib'] / m['filled_kib']:.3f}",
        ]
        for name, m in memory.items()
    ]
    return [
        f"{any_run['events']:,} events streamed through a DROP_OLDEST store of "
        f"{any_run['ring']:,} slots (a publish every {4 * any_run['ring']:,}), traced by "
        "`tracemalloc` (KiB):",
        "",
        *markdown_table(
            [
                "implementation",
                "ring filled",
                "peak during the stream",
                "at the end",
                "peak ÷ filled",
            ],
            rows,
            "lrrrr",
        ),
    ]
