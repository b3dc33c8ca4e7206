"""The case registry: what a benchmark case is, and how cases and their bodies are registered.

A case is data: a name (Go's, where Go has the benchmark), what one operation is, and
one small time function per kind of subject that can do the work. Implementations of
the store share one function per case; baselines and peers register their own body
for the few cases whose work they can do (``Deliver``, ``EnqueueDispatch``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from goeventbus_bench.sizes import Sizes


@dataclass(frozen=True)
class Params:
    """Everything a time function needs besides the subject and the loop count."""

    sizes: Sizes
    workers: int = 1


#: ``fn(loops, subject, params) -> seconds``: pyperf's time-function shape, then the
#: subject (a store class, or None for baselines and peers) and the parameters.
TimeFunc = Callable[[int, Any, Params], float]

IMPLEMENTATION = "implementation"
BASELINE = "baseline"
PEER = "peer"
KINDS = (IMPLEMENTATION, BASELINE, PEER)


@dataclass(frozen=True)
class Case:
    name: str
    #: what one measured operation is ("event", "subscribe call", "request", ...)
    operation: str
    doc: str
    #: threads sharing one store; the matrix runs it for every worker count
    parallel: bool = False
    #: measured exactly as Go measures it, even where that measures little
    go_shaped: bool = False
    #: the case that measures the same thing honestly, shown beside a Go-shaped one
    honest: str | None = None
    #: operations per loop, for cases that time a batch (pyperf's inner_loops)
    batch: Callable[[Sizes], int] | None = None
    #: time functions by subject kind (implementations) or by subject name
    bodies: dict[str, TimeFunc] = field(default_factory=dict, compare=False)
    #: the only implementations the case applies to (by registered name); None: all
    only: tuple[str, ...] | None = None

    def body_for(self, subject_name: str, kind: str) -> TimeFunc | None:
        if subject_name in self.bodies:
            return self.bodies[subject_name]
        if kind != IMPLEMENTATION or (self.only is not None and subject_name not in self.only):
            return None
        return self.bodies.get(kind)

    def inner_loops(self, sizes: Sizes) -> int:
        return self.batch(sizes) if self.batch else 1


CASES: dict[str, Case] = {}


def case(
    name: str,
    operation: str,
    doc: str,
    *,
    parallel: bool = False,
    go_shaped: bool = False,
    honest: str | None = None,
    batch: Callable[[Sizes], int] | None = None,
    only: tuple[str, ...] | None = None,
) -> Callable[[TimeFunc], TimeFunc]:
    """Register a case with its body for every store implementation (or those in ``only``)."""

    def register(fn: TimeFunc) -> TimeFunc:
        if name in CASES:
            raise ValueError(f"case {name!r} is registered twice")
        CASES[name] = Case(
            name, operation, doc, parallel, go_shaped, honest, batch, {IMPLEMENTATION: fn}, only
        )
        return fn

    return register


def body(case_name: str, subject_name: str) -> Callable[[TimeFunc], TimeFunc]:
    """Register how one baseline or peer does an existing case's work."""

    def register(fn: TimeFunc) -> TimeFunc:
        CASES[case_name].bodies[subject_name] = fn
        return fn

    return register
