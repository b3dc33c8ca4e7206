"""The harness end to end, as a user runs it: real pyperf processes at quick sizes.

Nothing here asserts a timing; it checks that the runs happen, that the files are
valid pyperf and carry the matrix coordinates, and that failures are reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyperf

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "tests.stores.broken_store:BrokenStore"


def harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "goeventbus_bench", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_quick_run_writes_a_pyperf_suite_and_its_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = harness(
        "run", "--quick", "--case", "Deliver", "--impl", "reference", "--no-peers",
        "--output", str(out), "--report", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[4/4]" in done.stdout
    assert "ETA" in done.stdout
    assert "memory[reference]  peak" in done.stdout

    suite = pyperf.BenchmarkSuite.load(str(out / "results.json"))
    assert set(suite.get_benchmark_names()) == {
        "Deliver[reference]",
        "Deliver[floor]",
        "Deliver[dict+call]",
    }
    bench = suite.get_benchmark("Deliver[reference]")
    assert bench.get_metadata()["goeventbus_kind"] == "implementation"
    assert bench.get_metadata()["inner_loops"] == 64
    assert all(value > 0 for value in bench.get_values())
    stats = subprocess.run(
        [sys.executable, "-m", "pyperf", "stats", str(out / "results.json")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert stats.returncode == 0, stats.stderr

    record = json.loads((out / "run.json").read_text())
    assert (record["entries"], record["measured"], record["failures"]) == (3, 3, {})
    footprint = record["memory"]["reference"]
    assert footprint["events"] == 20_000
    assert footprint["ring"] == 1024
    assert 0 < footprint["filled_kib"] <= footprint["peak_kib"]
    report = (out / "report.md").read_text()
    assert "## Headline" in report
    assert "| **reference** |" in report
    page = (out / "report.html").read_text()
    assert 'src="data:image/png;base64,' in page
    assert 'src="plots/' not in page
    assert (out / "plots" / "delivery.svg").exists()


def test_a_failing_entry_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = harness(
        "run", "--quick", "--case", "Subscribe", "--impl", "reference", "--impl", BROKEN,
        "--no-baselines", "--no-peers", "--no-memory", "--output", str(out), "--report",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"Subscribe[{BROKEN}]  FAILED" in done.stdout
    record = json.loads((out / "run.json").read_text())
    assert record["measured"] == 1
    assert "broken on purpose" in record["failures"][f"Subscribe[{BROKEN}]"]
    assert f"Subscribe[{BROKEN}]: failed" in (out / "report.md").read_text()


def test_bad_requests_are_refused_before_anything_runs(tmp_path: Path) -> None:
    unknown_impl = harness("run", "--quick", "--impl", "nosuch", cwd=tmp_path)
    assert unknown_impl.returncode == 2
    assert "nosuch" in unknown_impl.stderr
    assert "registered" in unknown_impl.stderr
    unknown_case = harness("run", "--quick", "--case", "Nope", cwd=tmp_path)
    assert unknown_case.returncode == 2
    assert "no case matches Nope" in unknown_case.stderr
    assert not (tmp_path / "reports").exists()


def test_list_prints_the_matrix_without_running_it(tmp_path: Path) -> None:
    listed = harness(
        "run", "--list", "--case", "*Parallel", "--workers", "2", "--impl", "reference",
        cwd=tmp_path,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [
        "SubscribeParallel[reference,w=2]",
        "FastHTTPParallel[reference,w=2]",
    ]
    assert not (tmp_path / "reports").exists()
