"""``python -m goeventbus_bench run|report|compare``: the harness's command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from goeventbus_bench import compare, matrix, runner
from goeventbus_bench.registry import IMPLEMENTATION
from goeventbus_bench.services import servers_for
from goeventbus_bench.sizes import FULL, QUICK
from goeventbus_bench.subjects import (
    Subject,
    UnavailableError,
    baseline_subjects,
    implementations,
    peer_subjects,
)

REPORTS = Path("reports")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m goeventbus_bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the benchmark matrix through pyperf")
    run.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one pyperf process per benchmark: a smoke run (~1-2 min)",
    )
    run.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="PATTERN",
        help="cases to run (fnmatch pattern; repeatable; default all)",
    )
    run.add_argument(
        "--impl",
        action="append",
        default=[],
        metavar="SPEC",
        help="registered name or module:Class (repeatable; default every registered one)",
    )
    run.add_argument(
        "--workers",
        action="append",
        type=int,
        default=[],
        choices=matrix.WORKER_COUNTS,
        help="thread counts of the parallel cases (repeatable; default 1 2 4 8)",
    )
    run.add_argument("--no-baselines", action="store_true", help="leave out the baselines")
    run.add_argument("--no-peers", action="store_true", help="leave out the peer libraries")
    run.add_argument(
        "--no-memory", action="store_true", help="skip the memory footprint of each implementation"
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="an unavailable subject fails the run instead of being listed",
    )
    run.add_argument("--output", type=Path, help="run directory (default reports/<run-id>)")
    run.add_argument(
        "--report", action="store_true", help="build the report in the run directory afterwards"
    )
    run.add_argument("--list", action="store_true", help="print the matrix and exit")

    report = commands.add_parser("report", help="build the report from one or more result files")
    report.add_argument("results", nargs="+", type=Path, help="pyperf suite files written by run")
    report.add_argument(
        "--out", type=Path, help="report directory (default: that of the first file)"
    )
    report.add_argument(
        "--conformance",
        type=Path,
        default=REPORTS / "conformance",
        help="conformance reports to include when present",
    )

    comparison = commands.add_parser("compare", help="significant changes between two runs")
    comparison.add_argument("old", type=Path)
    comparison.add_argument("new", type=Path)
    comparison.add_argument(
        "--min-change",
        type=float,
        default=0.05,
        help="smallest relative change reported (default 0.05)",
    )
    return parser


def _available(subjects: list[Subject], unavailable: dict[str, str]) -> list[Subject]:
    usable = []
    for subject in subjects:
        try:
            subject.load()
        except UnavailableError as exc:
            unavailable[subject.name] = str(exc)
        else:
            usable.append(subject)
    return usable


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sizes = QUICK if args.quick else FULL
    subjects = implementations(args.impl)
    subjects += [] if args.no_baselines else baseline_subjects()
    subjects += [] if args.no_peers else peer_subjects()
    record = runner.RunRecord(
        profile=sizes.name, command=["python", "-m", "goeventbus_bench", *argv]
    )
    usable = _available(subjects, record.unavailable)
    for name, reason in record.unavailable.items():
        print(f"unavailable: {name}: {reason}", file=sys.stderr)
    if record.unavailable and (args.strict or set(record.unavailable) & set(args.impl)):
        return 2
    entries = matrix.build(
        matrix.select_cases(args.case), usable, args.workers or matrix.WORKER_COUNTS
    )
    if args.list:
        print("\n".join(entry.name for entry in entries))
        return 0
    directory = args.output or REPORTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{sizes.name}"
    print(f"{len(entries)} benchmarks ({sizes.name} sizes) -> {directory / runner.RESULTS}")
    # A store on a server keeps its ring there: this process's memory says little of it.
    memory = [
        s for s in usable if s.kind == IMPLEMENTATION and not s.needs_redis and not args.no_memory
    ]
    with servers_for(entry.subject for entry in entries):
        runner.run(entries, sizes, directory, record, memory)
    print(f"{record.measured} of {record.entries} measured in {record.duration_seconds:.0f} s")
    if args.report and record.measured:
        _build_report([directory / runner.RESULTS], directory, REPORTS / "conformance")
    return 1 if record.failures else 0


def _build_report(results: list[Path], out: Path, conformance: Path) -> None:
    from goeventbus_reports.build import build

    index = build(results, out, conformance)
    print(f"report: {index} and {index.with_suffix('.html')}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "report":
            _build_report(args.results, args.out or args.results[0].parent, args.conformance)
            return 0
        print(compare.table(args.old, args.new, args.min_change), end="")
        return 0
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
