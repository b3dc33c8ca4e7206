"""Running the matrix: one pyperf script per entry, merged into one pyperf suite file.

Each entry runs in its own ``python -m goeventbus_bench.worker`` process (which
spawns pyperf's workers), one after the other, so a crash or a hang costs one
entry, not the run, and the progress line can say how far the run is.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyperf

from goeventbus_bench.matrix import Entry
from goeventbus_bench.progress import Progress
from goeventbus_bench.sizes import Sizes
from goeventbus_bench.subjects import Subject
from goeventbus_bench.worker import PROGRAM

RESULTS = "results.json"
RUN = "run.json"
#: one entry taking longer than this is hung; full-size entries take seconds
ENTRY_TIMEOUT = 900.0
#: the environment a user's ``module:Class`` may need in pyperf's worker processes
INHERITED = ("PYTHONPATH", "GOEVENTBUS_IMPL", "GOEVENTBUS_REDIS_URL")


@dataclass
class RunRecord:
    """What a run did besides its measurements; written beside the pyperf suite."""

    profile: str
    command: list[str]
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    duration_seconds: float = 0.0
    entries: int = 0
    measured: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    #: implementation -> its memory footprint (memory.py), in KiB
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    machine: dict[str, Any] = field(
        default_factory=lambda: {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        }
    )

    def dump(self, directory: Path) -> None:
        (directory / RUN).write_text(json.dumps(self.__dict__, indent=2) + "\n")


def command(entry: Entry, sizes: Sizes, output: Path) -> list[str]:
    inherit = [name for name in INHERITED if os.environ.get(name)]
    cmd = [sys.executable, *PROGRAM, "--case", entry.case.name, "--subject", entry.subject.name]
    cmd += ["--threads", str(entry.workers), "--sizes", sizes.name, *sizes.pyperf]
    if inherit:
        cmd.append("--inherit-environ=" + ",".join(inherit))
    return [*cmd, "--quiet", f"--output={output}"]


def cause(output: str) -> str:
    """The benchmark's own exception, not pyperf's "worker failed" that follows it."""
    errors = [
        line.strip()
        for line in output.splitlines()
        if re.match(r"^\w+(\.\w+)*(Error|Exception|Exit|Interrupt)\b", line.strip())
        and "failed with exit code" not in line
    ]
    return errors[0] if errors else (output.strip().splitlines() or ["no output"])[-1]


def run_entry(entry: Entry, sizes: Sizes) -> pyperf.Benchmark:
    with tempfile.TemporaryDirectory(prefix="goeventbus-bench-") as scratch:
        output = Path(scratch) / "bench.json"
        proc = subprocess.run(
            command(entry, sizes, output),
            capture_output=True,
            text=True,
            timeout=ENTRY_TIMEOUT,
            check=False,
        )
        if proc.returncode != 0 or not output.exists():
            raise RuntimeError(cause(proc.stderr + proc.stdout))
        return pyperf.Benchmark.load(str(output))


def run_memory(subject: Subject, sizes: Sizes) -> dict[str, float]:
    cmd = [sys.executable, "-m", "goeventbus_bench.memory", subject.name]
    cmd += [f"--ring={sizes.ring}", f"--events={sizes.memory_events}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=ENTRY_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(cause(proc.stderr + proc.stdout))
    footprint: dict[str, float] = json.loads(proc.stdout)
    return footprint


def run(
    entries: list[Entry],
    sizes: Sizes,
    directory: Path,
    record: RunRecord,
    memory: Sequence[Subject] = (),
) -> RunRecord:
    """Run every entry, saving the suite after each so an interrupted run keeps its results.

    Then measure the memory footprint of each subject in ``memory``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    results = directory / RESULTS
    suite: pyperf.BenchmarkSuite | None = None
    progress = Progress(len(entries) + len(memory))
    record.entries = len(entries)
    for entry in entries:
        try:
            bench = run_entry(entry, sizes)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            record.failures[entry.name] = str(exc)
            progress.advance(entry.name, f"FAILED: {exc}"[:200])
        else:
            if suite is None:
                suite = pyperf.BenchmarkSuite([bench])
            else:
                suite.add_benchmark(bench)
            suite.dump(str(results), replace=True)
            record.measured += 1
            value = bench.format_value(bench.median())
            progress.advance(entry.name, f"{value} per {entry.case.operation}")
        record.duration_seconds = round(progress.elapsed, 1)
        record.dump(directory)
    for subject in memory:
        name = f"memory[{subject.name}]"
        try:
            footprint = run_memory(subject, sizes)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
            record.failures[name] = str(exc)
            progress.advance(name, f"FAILED: {exc}"[:200])
        else:
            record.memory[subject.name] = footprint
            progress.advance(
                name,
                f"peak {footprint['peak_kib']:,.0f} KiB, filled {footprint['filled_kib']:,.0f} KiB",
            )
        record.duration_seconds = round(progress.elapsed, 1)
        record.dump(directory)
    return record
