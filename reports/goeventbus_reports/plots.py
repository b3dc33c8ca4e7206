"""The report's figures, drawn with matplotlib and saved as PNG and SVG.

Every value axis is in nanoseconds per operation (or operations per second for
scaling) and logarithmic, because a direct call and a drained async round trip
differ by three orders of magnitude. Bars carry the standard deviation of the
values as error bars; GoEventBus's published figures are black diamonds, labelled
as measured on another machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, NullFormatter

from goeventbus_bench.anchor import Anchor
from goeventbus_bench.registry import CASES, IMPLEMENTATION
from goeventbus_bench.results import Measurement, Table
from goeventbus_reports.style import ANCHOR_COLOUR, colours, ns, slug, subjects
from goeventbus_reports.tables import pick

FORMATS = ("png", "svg")
DPI = 110
ANCHOR_MARKER: dict[str, Any] = {
    "marker": "D",
    "color": ANCHOR_COLOUR,
    "markersize": 6,
    "linestyle": "none",
}


def _whiskers(values: Sequence[Measurement | None]) -> list[list[float]]:
    """Interquartile whiskers as matplotlib's (below, above) offsets from the median."""
    below, above = [], []
    for m in values:
        q1, q3 = m.quartiles_ns if m else (0.0, 0.0)
        below.append(m.ns - q1 if m else 0.0)
        above.append(q3 - m.ns if m else 0.0)
    return [below, above]


def _subject_bars(
    ax: Axes, table: Table, names: list[str], find: Callable[[str], Measurement | None]
) -> list[Measurement | None]:
    """One bar per subject, in its colour, with quartile whiskers."""
    values = [find(name) for name in names]
    ax.barh(
        range(len(names)),
        [m.ns if m else 0.0 for m in values],
        xerr=_whiskers(values),
        color=[colours(table)[n] for n in names],
        error_kw={"elinewidth": 0.8, "capsize": 2},
    )
    return values


def _save(figure: Figure, directory: Path, stem: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for extension in FORMATS:
        figure.savefig(directory / f"{stem}.{extension}", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return directory / f"{stem}.png"


def _floor_line(ax: Axes, table: Table) -> None:
    if table.floor is not None:
        ax.axvline(table.floor.ns, color="#555555", linestyle="--", linewidth=1)
        ax.annotate(
            f"floor: direct call {ns(table.floor.ns)}",
            (table.floor.ns, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color="#555555",
        )


def _hbars(
    ax: Axes,
    rows: Sequence[str],
    series: dict[str, list[Measurement | None]],
    colour: dict[str, str],
) -> None:
    """Grouped horizontal bars: one group per row, one bar per series, with error bars."""
    height = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        ys = [r + (i - (len(series) - 1) / 2) * height for r in range(len(rows))]
        widths = [m.ns if m else 0.0 for m in values]
        ax.barh(
            ys,
            widths,
            height=height,
            xerr=_whiskers(values),
            color=colour[name],
            label=name,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
    ax.set_yticks(range(len(rows)), [_label(r) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.grid(axis="x", which="both", alpha=0.25)


def _label(case_name: str) -> str:
    case = CASES.get(case_name)
    return case_name + (" (Go-shaped)" if case and case.go_shaped else "")


def overview(table: Table, anchor: Anchor, directory: Path) -> Path:
    """Every store case for every implementation, the Go anchor beside."""
    names = table.subjects(IMPLEMENTATION)
    rows = [c for c in table.cases() if any(pick(table, c, n) for n in names)]
    series = {n: [pick(table, c, n) for c in rows] for n in names}
    figure, ax = plt.subplots(figsize=(10, 0.32 * len(rows) * max(1, len(names) ** 0.5) + 1.5))
    _hbars(ax, rows, series, colours(table))
    gos = [(anchor.figures[c], r) for r, c in enumerate(rows) if c in anchor.figures]
    if gos:
        ax.plot([g for g, _ in gos], [r for _, r in gos], label=anchor.label, **ANCHOR_MARKER)
    _floor_line(ax, table)
    ax.set_xlabel(
        "ns per operation: median, whiskers at the quartiles "
        "(log scale; one operation: see the tables)"
    )
    ax.set_title("Every case, every implementation")
    ax.legend(fontsize=8, loc="lower right")
    return _save(figure, directory, "overview")


def delivery(table: Table, directory: Path) -> Path | None:
    """Deliver and EnqueueDispatch: implementations, baselines and peers on the same work."""
    shared = [c for c in ("Deliver", "EnqueueDispatch") if any(m.case == c for m in table.all)]
    if not shared:
        return None
    figure, axes = plt.subplots(1, len(shared), figsize=(6 * len(shared), 4.5), squeeze=False)
    for ax, case in zip(axes[0], shared, strict=True):
        names = [n for n in subjects(table) if table.get(case, n)]
        values = _subject_bars(ax, table, names, partial(table.get, case))
        for y, m in enumerate(values):
            if m:
                times = f" ({m.median / table.floor.median:.1f}× floor)" if table.floor else ""
                ax.annotate(f"  {ns(m.ns)}{times}", (m.ns, y), va="center", fontsize=8)
        ax.set_yticks(range(len(names)), names, fontsize=9)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.grid(axis="x", which="both", alpha=0.25)
        ax.set_xlabel("ns per event (median, log scale)")
        ax.set_title(
            case + ": " + (CASES[case].doc.split(":")[0] if case in CASES else ""), fontsize=9
        )
        ax.margins(x=0.4)
    figure.suptitle("Delivering one event to one handler: stores, baselines and peer libraries")
    figure.tight_layout()
    return _save(figure, directory, "delivery")


def scaling(table: Table, anchor: Anchor, directory: Path) -> Path | None:
    """Aggregate throughput against worker threads, one panel per parallel case."""
    parallel = [
        c for c in CASES.values() if c.parallel and any(m.case == c.name for m in table.all)
    ]
    if not parallel:
        return None
    colour = colours(table)
    figure, axes = plt.subplots(1, len(parallel), figsize=(5.5 * len(parallel), 4), squeeze=False)
    for ax, case in zip(axes[0], parallel, strict=True):
        for name in table.subjects(IMPLEMENTATION):
            points = sorted(
                (m.workers, m) for m in table.all if m.case == case.name and m.subject == name
            )
            if not points:
                continue
            ax.errorbar(
                [w for w, _ in points],
                [1 / m.median for _, m in points],
                yerr=[
                    [1 / m.median - 1e9 / m.quartiles_ns[1] for _, m in points],
                    [1e9 / m.quartiles_ns[0] - 1 / m.median for _, m in points],
                ],
                marker="o",
                capsize=3,
                color=colour[name],
                label=name,
            )
        if case.name in anchor.figures:
            ax.plot(
                [8],
                [1e9 / anchor.figures[case.name]],
                label=anchor.label + " (-8)",
                **ANCHOR_MARKER,
            )
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 2, 4, 8], ["1", "2", "4", "8"])
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(EngFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(which="both", alpha=0.25)
        ax.set_xlabel("worker threads sharing one store")
        ax.set_ylabel(f"{case.operation}s per second (log scale)")
        ax.set_title(case.name)
        ax.legend(fontsize=8)
    figure.tight_layout()
    return _save(figure, directory, "scaling")


def floor_ratio(table: Table, directory: Path) -> Path | None:
    """How many direct handler calls each operation costs; the best peer's Deliver for scale."""
    floor = table.floor
    if floor is None:
        return None
    names = table.subjects(IMPLEMENTATION)
    rows = [c for c in table.cases() if any(pick(table, c, n) for n in names)]
    figure, ax = plt.subplots(figsize=(10, 0.32 * len(rows) * max(1, len(names) ** 0.5) + 1.5))
    colour = colours(table)
    height = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        ratios = [(m.median / floor.median) if (m := pick(table, c, name)) else 0.0 for c in rows]
        ys = [r + (i - (len(names) - 1) / 2) * height for r in range(len(rows))]
        ax.barh(ys, ratios, height=height, color=colour[name], label=name)
    peer = table.best_peer
    if peer is not None:
        ax.axvline(
            peer.median / floor.median,
            color=colour[peer.subject],
            linestyle=":",
            linewidth=1.5,
            label=f"best peer ({peer.subject}) Deliver",
        )
    ax.axvline(1.0, color="#555555", linestyle="--", linewidth=1, label="floor (1×)")
    ax.set_yticks(range(len(rows)), [_label(r) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.set_xlabel("cost of one operation in direct handler calls (median ÷ floor, log scale)")
    ax.set_title("Ratio to the floor")
    ax.legend(fontsize=8, loc="lower right")
    return _save(figure, directory, "floor-ratio")


def per_case(table: Table, anchor: Anchor, directory: Path) -> list[Path]:
    """One small figure per case: whoever measured it, and Go's published figure."""
    paths: list[Path] = []
    for case_name in table.cases():
        names = [n for n in subjects(table) if pick(table, case_name, n)]
        figure, ax = plt.subplots(figsize=(6, 0.45 * (len(names) + 1) + 1.2))
        values = _subject_bars(ax, table, names, partial(pick, table, case_name))
        labels = list(names)
        if case_name in anchor.figures:
            ax.barh(
                [len(names)],
                [anchor.figures[case_name]],
                color="white",
                edgecolor=ANCHOR_COLOUR,
                hatch="//",
            )
            labels.append("GoEventBus\n(published, other machine)")
        for y, m in enumerate(values):
            if m:
                ax.annotate(f" {ns(m.ns)}", (m.ns, y), va="center", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        spread = [m.ns for m in values if m] + [anchor.figures.get(case_name, 0.0) or 0.0]
        positive = [v for v in spread if v > 0]
        if positive and max(positive) / min(positive) > 20:
            ax.set_xscale("log")
        ax.margins(x=0.2)
        case = CASES.get(case_name)
        ax.set_xlabel(f"ns per {case.operation if case else 'operation'} (median)")
        ax.set_title(case_name + ("  [Go-shaped]" if case and case.go_shaped else ""), fontsize=10)
        ax.grid(axis="x", which="both", alpha=0.25)
        figure.tight_layout()
        paths.append(_save(figure, directory / "cases", slug(case_name)))
    return paths
