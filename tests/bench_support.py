"""Synthetic pyperf suites for the harness's tests: known values, no timing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyperf

from goeventbus_bench.matrix import METADATA_PREFIX


def benchmark(
    case: str,
    subject: str,
    kind: str,
    values: Sequence[float],
    workers: int = 1,
    **extra: str | int,
) -> pyperf.Benchmark:
    name = f"{case}[{subject},w={workers}]" if workers > 1 else f"{case}[{subject}]"
    meta: dict[str, str | int] = {
        "name": name,
        "unit": "second",
        **{
            METADATA_PREFIX + key: value
            for key, value in {
                "case": case,
                "subject": subject,
                "kind": kind,
                "workers": workers,
                "operation": "event",
                "profile": "quick",
                "version": "1.0",
                "go_shaped": 0,
                **extra,
            }.items()
        },
    }
    half = len(values) // 2
    runs = [
        pyperf.Run(list(chunk), warmups=None, metadata=meta, collect_metadata=False)
        for chunk in (values[:half], values[half:])
    ]
    return pyperf.Benchmark(runs)


def write_suite(path: Path, benches: Sequence[pyperf.Benchmark]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pyperf.BenchmarkSuite(list(benches)).dump(str(path), replace=True)
    return path
