"""Building ``report.md`` and ``report.html`` from one or more runs of the harness."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from goeventbus_bench.anchor import go_anchor, go_on_this_machine
from goeventbus_bench.redis_floors import ROUND_TRIP
from goeventbus_bench.results import Table, load_suite, measurement
from goeventbus_reports import conformance, environment, goals, html, plots, tables
from goeventbus_reports.style import ns

PLOTS = "plots"
PROCESSES = "EnqueueDispatch/Processes"
REPORT = "report.md"


def _image(path: Path | None, out: Path, alt: str) -> list[str]:
    return [] if path is None else ["", f"![{alt}]({path.relative_to(out).as_posix()})", ""]


def _not_measured(runs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for run in runs:
        for name, reason in dict(run.get("unavailable", {})).items():
            lines.append(f"- {name}: unavailable: {reason}")
        for name, error in dict(run.get("failures", {})).items():
            lines.append(f"- {name}: failed: `{error}`")
    return lines or ["Everything in the matrix was measured."]


def _summary(table: Table, runs: list[dict[str, Any]]) -> list[str]:
    profiles = sorted({str(run.get("profile")) for run in runs}) or ["unknown"]
    duration = sum(float(run.get("duration_seconds", 0.0)) for run in runs)
    started = ", ".join(str(run.get("started")) for run in runs)
    lines = [
        f"{len(table.all)} benchmarks; sizes `{'`, `'.join(profiles)}`; started {started}; "
        f"the runs took {duration / 60:.1f} min.",
    ]
    if "quick" in profiles:
        lines += [
            "",
            "> **Quick sizes**: a smoke run (tiny batches, one pyperf process per benchmark). "
            "The figures are rough; `nox -s bench` makes the full report.",
        ]
    floor, peer = table.floor, table.best_peer
    if floor and peer:
        lines += [
            "",
            f"The floor, a direct handler call, costs {ns(floor.ns)}; the fastest peer library, "
            f"{peer.subject}, delivers one event in {ns(peer.ns)} "
            f"({peer.median / floor.median:.0f}× the floor).",
        ]
    return lines


def build(results: Sequence[Path], out: Path, conformance_dir: Path) -> Path:
    """Write the report into ``out``; returns the path of report.md."""
    out.mkdir(parents=True, exist_ok=True)
    for path in results:
        if path.resolve().parent != out.resolve():
            shutil.copy2(path, out / f"{path.parent.name}-{path.name}")
    suite = load_suite(list(results))
    table = Table(measurement(bench) for bench in suite.get_benchmarks())
    anchor = go_anchor()
    runs = environment.records(results)
    figures = out / PLOTS

    lines = ["# goeventbus performance report", "", *_summary(table, runs), ""]
    lines += [
        "## Headline",
        "",
        "Median ns per operation; the ratios are for `Deliver` (one event to one handler).",
        "",
    ]
    lines += tables.headline(table)
    lines += _image(plots.overview(table, anchor, figures), out, "every case")
    lines += ["## Delivering one event: stores, baselines, peers", ""]
    lines += tables.delivery(table)
    lines += _image(plots.delivery(table, figures), out, "delivery")
    lines += [
        "## Every case",
        "",
        "Median ± standard deviation relative to it (× floor). "
        f"{anchor.label}: {anchor.source}; never a measurement of ours.",
        "",
    ]
    lines += tables.cases(table, anchor)
    lines += _image(plots.floor_ratio(table, figures), out, "ratio to the floor")
    memory = {name: m for run in runs for name, m in dict(run.get("memory", {})).items()}
    lines += ["## Performance goals", "", *goals.section(table, go_on_this_machine(), memory), ""]
    lines += ["## Memory", "", *goals.memory_section(memory), ""]
    lines += [
        "## Scaling",
        "",
        "Aggregate operations per second of threads sharing one store "
        "(of processes, for `/Processes`).",
        "",
    ]
    lines += tables.scaling(table)
    lines += _image(plots.scaling(table, anchor, figures), out, "scaling")
    lines += [
        "## Across processes",
        "",
        f"`{PROCESSES}`: each process has its own handle on one store kept on a Redis "
        "server, subscribes a batch and publishes; the floor does the same with bare "
        "redis-py (RPUSH each event, then LPOP and dispatch each).",
        "",
        *tables.processes(table, PROCESSES, ROUND_TRIP),
        "",
    ]
    lines += ["## Per case", "", '<details markdown="1"><summary>one figure per case</summary>', ""]
    lines += [
        f"![{p.stem}]({p.relative_to(out).as_posix()})"
        for p in plots.per_case(table, anchor, figures)
    ]
    lines += ["", "</details>", "", "## Not measured", "", *_not_measured(runs), ""]
    lines += ["## Environment", "", *environment.section(suite, table), ""]
    lines += ["## Method", "", *environment.method(suite), ""]
    lines += ["## Conformance", "", *conformance.section(conformance_dir), ""]
    lines += [
        "## Files",
        "",
        "The raw pyperf suite (`python -m pyperf stats` and `compare_to` read it): ",
    ]
    lines += [
        ", ".join(f"`{p.name}`" for p in sorted(out.glob("*.json")))
        + "; every plot as PNG and SVG in `plots/`.",
        "",
    ]

    report = out / REPORT
    report.write_text("\n".join(lines))
    html.render(report, "goeventbus performance report")
    return report
