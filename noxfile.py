"""Every workflow of the project, as nox sessions (``nox -l`` lists them)."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "conformance", "mutants", "lint", "typecheck"]

PACKAGES = [
    "reference/goeventbus",
    "conformance/goeventbus_conformance",
    "variants/goeventbus_variants",
    "bench/goeventbus_bench",
    "reports/goeventbus_reports",
]
HARNESS = ["python", "-m", "goeventbus_bench"]
PRIVATE_REDIS = ["python", "-m", "goeventbus_variants.redisstore.server", "--"]
#: registered implementations that keep their store on a Redis server
ON_REDIS = {"redis"}
CONFORMANCE_REPORTS = "reports/conformance"
LIST_IMPLEMENTATIONS = (
    "from goeventbus_conformance.loading import registered; print(*sorted(registered()))"
)


@nox.session
def tests(session: nox.Session) -> None:
    """The project's own tests, with the reference's line and branch coverage."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "--cov=goeventbus",
        "--cov-report=term",
        "--cov-fail-under=95",
        *session.posargs,
    )


@nox.session
def conformance(session: nox.Session) -> None:
    """The conformance suite against every registered implementation, or the one given.

    ``nox -s conformance -- --impl module:Class`` tests just that class; any other
    arguments (``--hypothesis-profile thorough``, ``-k machines``) reach pytest. The
    Redis store runs against a private redis-server, started for it and stopped after.
    """
    session.install("-e", ".[conformance,redis-server]")
    suite = ["pytest", "--pyargs", "goeventbus_conformance"]
    report = f"--conformance-report={CONFORMANCE_REPORTS}"
    if any(arg.startswith("--impl") for arg in session.posargs):
        session.run(*PRIVATE_REDIS, *suite, report, *session.posargs)
        return
    names = session.run("python", "-c", LIST_IMPLEMENTATIONS, silent=True)
    for name in str(names).split():
        server = PRIVATE_REDIS if name in ON_REDIS else []
        session.run(*server, *suite, f"--impl={name}", report, *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """The suite tests itself: it must accept the reference and kill every mutant."""
    session.install("-e", ".[conformance]")
    session.run(
        "python",
        "conformance/mutants/run.py",
        f"--report={CONFORMANCE_REPORTS}/mutants.md",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the packages."""
    session.install("-e", ".[typecheck]")
    session.run("mypy", "--strict", *PACKAGES)


@nox.session
def report(session: nox.Session) -> None:
    """The main job: the whole benchmark matrix at quick sizes, then its report.

    Writes ``reports/<run-id>/report.html`` (and .md, plots, the pyperf JSON). Arguments
    reach ``goeventbus_bench run``, e.g. ``nox -s report -- --impl module:Class``.
    """
    session.install("-e", ".[bench]")
    session.run(*HARNESS, "run", "--quick", "--strict", "--report", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The full benchmark matrix (about 26 minutes here for 5 implementations), then its report."""
    session.install("-e", ".[bench]")
    session.run(*HARNESS, "run", "--strict", "--report", *session.posargs)


@nox.session
def microbench(session: nox.Session) -> None:
    """pytest-benchmark micro-benchmarks of the hot paths, compared with the last saved run."""
    session.install("-e", ".[bench]")
    compare = ["--benchmark-compare"] if any(Path(".benchmarks").rglob("*.json")) else []
    session.run("pytest", "bench/micro", "--benchmark-autosave", *compare, *session.posargs)


@nox.session
def quickstart(session: nox.Session) -> None:
    """GoEventBus's Quick Start in Python, from a plain (non-editable) install."""
    session.install(".")
    session.run("python", "examples/quickstart.py")
