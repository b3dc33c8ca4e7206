"""Where and how the figures were measured: pyperf's metadata and the runs' own records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyperf

from goeventbus_bench.results import Table
from goeventbus_bench.runner import RUN
from goeventbus_reports.tables import markdown_table

#: pyperf metadata worth a reader's attention, in the order shown
KEYS = (
    "cpu_model_name",
    "cpu_count",
    "cpu_freq",
    "cpu_config",
    "python_version",
    "python_implementation",
    "python_compiler",
    "platform",
    "perf_version",
    "timer",
    "aslr",
    "boot_time",
)


def records(results: Sequence[Path]) -> list[dict[str, Any]]:
    found = []
    for path in results:
        run = path.parent / RUN
        if run.exists():
            found.append(json.loads(run.read_text()))
    return found


def section(suite: pyperf.BenchmarkSuite, table: Table) -> list[str]:
    meta = suite.get_metadata()
    rows = [[key, str(meta[key])] for key in KEYS if key in meta]
    versions = sorted(
        {(m.subject, m.version) for m in table.all if m.version and m.kind != "baseline"}
    )
    rows += [[f"version of {subject}", version] for subject, version in versions]
    return markdown_table(["", ""], rows)


def method(suite: pyperf.BenchmarkSuite) -> list[str]:
    benches = suite.get_benchmarks()
    processes = sorted({b.get_nrun() for b in benches})
    values = sorted({len(run.values) for b in benches for run in b.get_runs() if run.values})
    return [
        "Each benchmark is one `python -m goeventbus_bench.worker` pyperf script, run alone; "
        "pyperf calibrates the loop count, then spawns worker processes that each time "
        f"warmups and values ({'/'.join(map(str, processes))} processes of "
        f"{'/'.join(map(str, values))} values per benchmark in this run). "
        "A figure is the median of all values, in nanoseconds per operation; ± is their "
        "standard deviation. Batch cases divide by the events in the batch (pyperf's "
        "inner loops); parallel cases time all threads together, so their figure is aggregate "
        "time per operation. The floor is a direct handler call in a loop; every ratio "
        "divides by it, or by the fastest peer library's `Deliver`. Stores are built and "
        "closed outside the timed region. This machine is shared and noisy: compare ratios "
        "measured in one run, not figures across runs.",
    ]
