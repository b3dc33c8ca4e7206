"""The report builder on a suite of known values: tables, ratios, plots, HTML, conformance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goeventbus_reports.build import build
from tests.bench_support import benchmark, write_suite

NS = 1e-9


def values(ns: float) -> list[float]:
    return [ns * NS * (1 + i / 1000) for i in range(-3, 4)]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    results = write_suite(
        tmp_path / "run" / "results.json",
        [
            benchmark("Deliver", "reference", "implementation", values(100)),
            benchmark("Subscribe", "reference", "implementation", values(400)),
            benchmark(
                "Publish", "reference", "implementation", values(300), go_shaped=1, honest="Deliver"
            ),
            benchmark("SubscribeParallel", "reference", "implementation", values(500), workers=1),
            benchmark("SubscribeParallel", "reference", "implementation", values(1000), workers=8),
            benchmark("Deliver", "floor", "baseline", values(10)),
            benchmark("EnqueueDispatch", "collections.deque", "baseline", values(20)),
            benchmark("Deliver", "pyee", "peer", values(50)),
            benchmark("Deliver", "blinker", "peer", values(80)),
        ],
    )
    (tmp_path / "run" / "run.json").write_text(
        json.dumps(
            {
                "profile": "quick",
                "started": "2026-11-28T00:00:00Z",
                "duration_seconds": 60.0,
                "failures": {"DrainAsync[reference]": "TimeoutError: too slow"},
                "unavailable": {"native": "not built"},
            }
        )
    )
    conformance = tmp_path / "conformance"
    conformance.mkdir()
    (conformance / "reference.json").write_text(
        json.dumps(
            {
                "implementation": {"spec": "reference"},
                "verdict": "conforms",
                "totals": {"passed": 120, "failed": 0, "not applicable": 0},
                "unsupported": [],
                "profile": "ci",
                "started": "2026-11-28T00:00:00Z",
            }
        )
    )
    (conformance / "mutants.md").write_text(
        "# Mutants\n\n| mutant | killed |\n| --- | --- |\n| m1 | yes |\n"
    )
    return build([results], tmp_path / "run", conformance)


def test_the_headline_divides_by_the_floor_and_the_best_peer(report: Path) -> None:
    text = report.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| **reference** |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "100 ns"
    assert cells[3] == "400 ns"
    assert cells[-2:] == ["10.0×", "2.0×"]
    assert "pyee, delivers one event in 50 ns (5× the floor)" in text


def test_every_case_shows_go_shaped_labels_the_anchor_and_scaling(report: Path) -> None:
    text = report.read_text()
    assert "Publish *Go-shaped; honest: Deliver*" in text
    assert "SubscribeParallel (8 workers)" in text
    assert "| Subscribe | subscribe call | 400 ns ± 0% (40.0×) | 40.4 ns |" in text
    assert "published (other machine)" in text
    scaling = next(
        line for line in text.splitlines() if line.startswith("| SubscribeParallel | reference")
    )
    assert "2,000,000" in scaling
    assert "1,000,000" in scaling
    assert scaling.endswith("| 0.50 |")


def test_what_was_not_measured_and_the_conformance_are_reported(report: Path) -> None:
    text = report.read_text()
    assert "- native: unavailable: not built" in text
    assert "- DrainAsync[reference]: failed: `TimeoutError: too slow`" in text
    assert "| **reference** | conforms | 120 | 0 | 0 | none |" in text
    assert "#### Mutants" in text
    assert "| m1 | yes |" in text
    assert "Quick sizes" in text


def test_plots_exist_in_both_formats_and_the_html_embeds_them(report: Path) -> None:
    plots = report.parent / "plots"
    for stem in ("overview", "delivery", "scaling", "floor-ratio", "cases/subscribe"):
        assert (plots / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (plots / f"{stem}.svg").read_bytes()[:500]
    page = report.with_suffix(".html").read_text()
    assert page.count('src="data:image/png;base64,') == len(list(plots.rglob("*.png")))
    assert "<table>" in page
    assert 'src="plots/' not in page
