"""The report's tables, in Markdown: medians in ns, each with its ratio to the floor.

A parallel case appears in the main tables at 8 workers (Go's ``-8``), or at the
most workers measured; the scaling table shows every count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from goeventbus_bench.anchor import Anchor
from goeventbus_bench.matrix import DEFAULT_WORKERS, WORKER_COUNTS
from goeventbus_bench.registry import BASELINE, CASES, IMPLEMENTATION, PEER
from goeventbus_bench.results import Measurement, Table
from goeventbus_reports.style import ns

HEADLINE_CASES = (
    "Deliver",
    "EnqueueDispatch",
    "Subscribe",
    "SubscribeMany",
    "SubscribePublish/Sync",
    "EventStore_Sync",
)
DASH = "—"


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: str = ""
) -> list[str]:
    """``align`` has one letter per column: l (default) or r."""
    marks = ["---:" if align[i : i + 1] == "r" else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def shown_workers(table: Table, case: str, subject: str) -> int:
    counts = sorted(m.workers for m in table.all if m.case == case and m.subject == subject)
    return DEFAULT_WORKERS if DEFAULT_WORKERS in counts else (counts[-1] if counts else 1)


def pick(table: Table, case: str, subject: str) -> Measurement | None:
    return table.get(case, subject, shown_workers(table, case, subject))


def ratio(value: Measurement | None, to: Measurement | None) -> str:
    if value is None or to is None:
        return DASH
    times = value.median / to.median
    return f"{times:.1f}×" if times >= 1 else f"{times:.2g}×"


def cell(m: Measurement | None, with_spread: bool = False) -> str:
    """The median; with its standard deviation relative to it when asked."""
    if m is None:
        return DASH
    return f"{ns(m.ns)} ± {m.spread:.0%}" if with_spread else ns(m.ns)


def headline(table: Table) -> list[str]:
    """Per implementation, the operations users feel, against the floor and the best peer."""
    floor, peer = table.floor, table.best_peer
    header = ["implementation", *HEADLINE_CASES, "Deliver × floor", "Deliver × best peer"]
    rows = []
    for name in table.subjects(IMPLEMENTATION):
        deliver = table.get("Deliver", name)
        rows.append(
            [
                f"**{name}**",
                *(cell(pick(table, c, name)) for c in HEADLINE_CASES),
                ratio(deliver, floor),
                ratio(deliver, peer),
            ]
        )
    return markdown_table(header, rows, "l" + "r" * (len(header) - 1))


def delivery(table: Table) -> list[str]:
    """Everyone doing the same work: implementations, baselines and peers side by side."""
    floor, peer = table.floor, table.best_peer
    rows = []
    for kind in (IMPLEMENTATION, BASELINE, PEER):
        for name in table.subjects(kind):
            for case in ("Deliver", "EnqueueDispatch"):
                m = table.get(case, name)
                if m is not None:
                    version = f" {m.version}" if kind == PEER else ""
                    rows.append(
                        [
                            f"{name}{version}",
                            kind,
                            case,
                            cell(m, True),
                            ratio(m, floor),
                            ratio(m, peer),
                        ]
                    )
    header = ["subject", "kind", "work", "median per event", "× floor", "× best peer"]
    return markdown_table(header, rows, "lllrrr")


def cases(table: Table, anchor: Anchor) -> list[str]:
    """Every store case: each implementation's median, spread and ratio to the floor; Go beside."""
    floor = table.floor
    names = table.subjects(IMPLEMENTATION)
    header = ["case", "one operation", *names, "GoEventBus (published, other machine)"]
    rows = []
    for case_name in table.cases():
        if not any(table.get(case_name, n, shown_workers(table, case_name, n)) for n in names):
            continue
        case = CASES.get(case_name)
        label = case_name
        if case is not None and case.parallel:
            label += f" ({shown_workers(table, case_name, names[0])} workers)"
        if case is not None and case.go_shaped:
            label += f" *Go-shaped; honest: {case.honest}*"
        operation = case.operation if case else DASH
        values = []
        for name in names:
            m = pick(table, case_name, name)
            values.append(DASH if m is None else f"{cell(m, True)} ({ratio(m, floor)})")
        go = anchor.figures.get(case_name)
        rows.append([label, operation, *values, DASH if go is None else ns(go)])
    return markdown_table(header, rows, "ll" + "r" * (len(names) + 1))


def scaling(table: Table) -> list[str]:
    """Aggregate throughput of the parallel cases by workers, and most against fewest."""
    rows = []
    for case in (c for c in CASES.values() if c.parallel):
        for name in table.subjects(IMPLEMENTATION) + table.subjects(BASELINE):
            by_workers = {
                m.workers: m for m in table.all if m.case == case.name and m.subject == name
            }
            if not by_workers:
                continue
            cells = [
                f"{1 / by_workers[w].median:,.0f}" if w in by_workers else DASH
                for w in WORKER_COUNTS
            ]
            fewest, most = by_workers[min(by_workers)], by_workers[max(by_workers)]
            rows.append([case.name, name, *cells, f"{fewest.median / most.median:.2f}"])
    if not rows:
        return ["No parallel case was measured."]
    header = [
        "case",
        "subject",
        *(f"{w} worker{'s' * (w > 1)} (ops/s)" for w in WORKER_COUNTS),
    ]
    header.append("most ÷ fewest workers")
    return markdown_table(header, rows, "ll" + "r" * (len(WORKER_COUNTS) + 1))


def processes(table: Table, case: str, floor: str) -> list[str]:
    """Events per second of processes sharing one store on a server, against bare redis-py."""
    rows = []
    for name in table.subjects(IMPLEMENTATION):
        for workers in WORKER_COUNTS:
            ours, bare = table.get(case, name, workers), table.get(case, floor, workers)
            if ours is None:
                continue
            rows.append(
                [
                    f"**{name}**",
                    str(workers),
                    f"{1 / ours.median:,.0f}",
                    f"{1 / bare.median:,.0f}" if bare else DASH,
                    f"{ours.median / bare.median:.2f}" if bare else DASH,
                ]
            )
    if not rows:
        return ["No store shared across processes was measured."]
    header = ["implementation", "processes", "events/s", f"{floor} events/s", "cost ÷ floor's"]
    return markdown_table(header, rows, "lrrrr")
