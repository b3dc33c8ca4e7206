"""One benchmark as a pyperf script: ``python -m goeventbus_bench.worker --case C --subject S``.

The harness runs this once per matrix entry, as pyperformance runs one script per
benchmark; pyperf then spawns its own worker processes (calibration, warmups,
values) by running this module again with ``--worker``, forwarding our options.
"""

from __future__ import annotations

import argparse
import sys

import pyperf

from goeventbus_bench import matrix
from goeventbus_bench.registry import Params
from goeventbus_bench.sizes import PROFILES
from goeventbus_bench.subjects import find

PROGRAM = ("-m", "goeventbus_bench.worker")


def _forward(cmd: list[str], args: argparse.Namespace) -> None:
    cmd += ["--case", args.case, "--subject", args.subject]
    cmd += ["--threads", str(args.threads), "--sizes", args.sizes]


def main() -> None:
    runner = pyperf.Runner(program_args=PROGRAM, add_cmdline_args=_forward)
    ours = runner.argparser.add_argument_group("goeventbus")
    ours.add_argument("--case", required=True, help="case name, as registered")
    ours.add_argument("--subject", required=True, help="implementation, baseline or peer")
    ours.add_argument("--threads", type=int, default=1, help="worker threads (parallel cases)")
    ours.add_argument("--sizes", choices=sorted(PROFILES), default="full", help="size profile")
    args = runner.parse_args()

    subject = find(args.subject)
    entry = matrix.entry(args.case, subject, args.threads)
    body = entry.case.body_for(subject.name, subject.kind)
    if body is None:
        sys.exit(f"{subject.name} ({subject.kind}) has no body for case {args.case}")
    sizes = PROFILES[args.sizes]
    runner.bench_time_func(
        entry.name,
        body,
        subject.load(),
        Params(sizes, args.threads),
        inner_loops=entry.case.inner_loops(sizes),
        metadata=entry.metadata(sizes),
    )


if __name__ == "__main__":
    main()
