"""The matrix: every applicable (case, subject, workers) entry, filtered, in a stable order.

An entry's name is its pyperf benchmark name, ``Case[subject]`` or
``Case[subject,w=N]`` for the parallel cases, so ``pyperf compare_to`` lines runs
up by it; the same coordinates are in each benchmark's metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from goeventbus_bench import (  # noqa: F401  (they register bodies)
    baselines,
    cases,
    peers,
    redis_floors,
)
from goeventbus_bench.registry import CASES, Case
from goeventbus_bench.sizes import Sizes
from goeventbus_bench.subjects import Subject

#: thread counts of the parallel cases; Go's published figures are ``-8``
WORKER_COUNTS = (1, 2, 4, 8)
DEFAULT_WORKERS = 8
METADATA_PREFIX = "goeventbus_"


@dataclass(frozen=True)
class Entry:
    case: Case
    subject: Subject
    workers: int = 1

    @property
    def name(self) -> str:
        if self.case.parallel:
            return f"{self.case.name}[{self.subject.name},w={self.workers}]"
        return f"{self.case.name}[{self.subject.name}]"

    def metadata(self, sizes: Sizes) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            "case": self.case.name,
            "subject": self.subject.name,
            "kind": self.subject.kind,
            "workers": self.workers,
            "operation": self.case.operation,
            "profile": sizes.name,
            "version": self.subject.version(),
            "go_shaped": int(self.case.go_shaped),
        }
        if self.case.honest:
            meta["honest"] = self.case.honest
        return {METADATA_PREFIX + key: value for key, value in meta.items()}


def select_cases(patterns: Sequence[str] = ()) -> list[Case]:
    """Cases whose name matches any pattern (fnmatch, case-sensitive); all without one."""
    chosen = [
        c for c in CASES.values() if not patterns or any(fnmatchcase(c.name, p) for p in patterns)
    ]
    if patterns and not chosen:
        raise ValueError(f"no case matches {', '.join(patterns)}; cases: {', '.join(CASES)}")
    return chosen


def build(
    chosen_cases: Iterable[Case],
    subjects: Iterable[Subject],
    workers: Sequence[int] = WORKER_COUNTS,
) -> list[Entry]:
    subjects = list(subjects)
    entries: list[Entry] = []
    for case in chosen_cases:
        for subject in subjects:
            if case.body_for(subject.name, subject.kind) is None:
                continue
            counts = workers if case.parallel else (1,)
            entries += [Entry(case, subject, count) for count in counts]
    return entries


def entry(case_name: str, subject: Subject, workers: int) -> Entry:
    if case_name not in CASES:
        raise ValueError(f"unknown case {case_name!r}; cases: {', '.join(CASES)}")
    return Entry(CASES[case_name], subject, workers)
