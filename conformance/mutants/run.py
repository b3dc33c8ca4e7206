"""Run the conformance suite against the reference and every mutant; print the kill table.

    python conformance/mutants/run.py [--profile ci] [--jobs 2] [--rounds 1] [NAME ...]

The reference must be accepted and every mutant killed (the suite fails on it); the
exit status is non-zero otherwise. Each run is a separate pytest process with ``-x``,
so a mutant costs only as long as the suite takes to find its bug.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mutants.catalogue import MUTANTS  # noqa: E402

#: A mutant run taking longer than this is stopped and reported as a hang.
LIMIT = 900


@dataclass
class Outcome:
    name: str
    section: str
    verdict: str
    seconds: float
    evidence: str


def run_suite(spec: str, profile: str) -> tuple[int | None, str, float]:
    command = [
        sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        f"--hypothesis-profile={profile}", f"--impl={spec}", "--pyargs", "goeventbus_conformance",
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=LIMIT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"no result after {LIMIT} s", time.monotonic() - started
    failed = [line[7:] for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    evidence = failed[0].split(" - ")[0] if failed else done.stdout.strip().splitlines()[-1:][0]
    return done.returncode, evidence, time.monotonic() - started


def judge(name: str, section: str, spec: str, profile: str, expect_pass: bool) -> Outcome:
    code, evidence, seconds = run_suite(spec, profile)
    if code is None:
        verdict = "hang"
    elif expect_pass:
        verdict = "accepted" if code == 0 else "REJECTED"
    elif code == 1:
        verdict = "killed"
    elif code == 0:
        verdict = "SURVIVED"
    else:
        verdict = f"error (exit {code})"
    return Outcome(name, section, verdict, seconds, evidence)


def table(outcomes: list[Outcome]) -> str:
    lines = ["| implementation | section | result | seconds | first failing test |"]
    lines.append("| --- | --- | --- | ---: | --- |")
    for o in outcomes:
        lines.append(f"| {o.name} | {o.section} | {o.verdict} | {o.seconds:.1f} | `{o.evidence}` |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these mutants (default: all)")
    parser.add_argument("--profile", default="ci", help="Hypothesis profile (default: ci)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole table")
    parser.add_argument("--report", type=Path, help="also write the table (Markdown) here")
    options = parser.parse_args()

    chosen = [
        (cls, section)
        for cls, section in MUTANTS
        if not options.names or cls.__name__ in options.names
    ]
    unknown = set(options.names) - {cls.__name__ for cls, _ in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    jobs = [("reference", "all", "goeventbus:EventStore", True)] + [
        (cls.__name__, section, f"mutants.catalogue:{cls.__name__}", False)
        for cls, section in chosen
    ]
    all_ok = True
    for round_ in range(1, options.rounds + 1):
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            outcomes = list(pool.map(lambda job: judge(*job[:3], options.profile, job[3]), jobs))
        good = {"accepted", "killed"}
        killed = sum(o.verdict == "killed" for o in outcomes)
        print(f"\nround {round_} of {options.rounds}, profile {options.profile}:")
        print(table(outcomes))
        print(f"\n{killed} of {len(outcomes) - 1} mutants killed; reference "
              f"{outcomes[0].verdict}; {time.monotonic() - started:.0f} s")  # fmt: skip
        all_ok &= all(o.verdict in good for o in outcomes)
        if options.report:
            options.report.parent.mkdir(parents=True, exist_ok=True)
            summary = f"{killed} of {len(outcomes) - 1} mutants killed"
            options.report.write_text(
                f"# Mutants (profile {options.profile})\n\n{table(outcomes)}\n\n"
                f"{summary}; reference {outcomes[0].verdict}.\n"
            )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
