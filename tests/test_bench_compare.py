"""``compare OLD NEW`` on runs with known values: what moved, and what only looks like it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from goeventbus_bench import compare
from tests.bench_support import benchmark, write_suite

STEADY = [100e-9 + i * 1e-10 for i in range(10)]


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    old = write_suite(
        tmp_path / "old.json",
        [
            benchmark("Deliver", "reference", "implementation", STEADY),
            benchmark("Subscribe", "reference", "implementation", STEADY),
            benchmark("Publish", "reference", "implementation", STEADY),
            benchmark("Deliver", "floor", "baseline", STEADY),
        ],
    )
    new = write_suite(
        tmp_path / "new.json",
        [
            benchmark("Deliver", "reference", "implementation", [v * 2 for v in STEADY]),
            benchmark("Subscribe", "reference", "implementation", [v * 0.5 for v in STEADY]),
            benchmark("Publish", "reference", "implementation", list(reversed(STEADY))),
            benchmark("SubscribeMany", "reference", "implementation", STEADY),
        ],
    )
    return old, new


def test_changes_pair_benchmarks_by_name_and_bound_the_ratio(runs: tuple[Path, Path]) -> None:
    found, only_old, only_new = compare.changes(*runs)
    by_name = {c.name: c for c in found}
    assert only_old == ["Deliver[floor]"]
    assert only_new == ["SubscribeMany[reference]"]
    slower, faster, same = (
        by_name["Deliver[reference]"],
        by_name["Subscribe[reference]"],
        by_name["Publish[reference]"],
    )
    assert slower.ratio == pytest.approx(2.0)
    assert slower.low > 1.0
    assert slower.significant
    assert faster.ratio == pytest.approx(0.5)
    assert faster.high < 1.0
    assert faster.significant
    assert same.ratio == pytest.approx(1.0)
    assert not same.significant


def test_the_table_lists_only_significant_changes_above_the_threshold(
    runs: tuple[Path, Path],
) -> None:
    text = compare.table(*runs, min_change=0.05)
    assert "2 of 3 benchmarks changed" in text
    assert "| Deliver[reference] |" in text
    assert "slower" in text
    assert "| Subscribe[reference] |" in text
    assert "faster" in text
    assert "| Publish[reference] |" not in text
    assert "Only in the old run: Deliver[floor]." in text
    assert "0 of 3" in compare.table(*runs, min_change=1.5)


def test_the_command_line_prints_the_table(runs: tuple[Path, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "goeventbus_bench", "compare", *map(str, runs)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 of 3 benchmarks changed" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "goeventbus_bench", "compare", str(runs[0]), "/nonexistent.json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "nonexistent" in missing.stderr
