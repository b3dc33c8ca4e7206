"""Every workflow of the project, as nox sessions (``nox -l`` lists them)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint", "typecheck"]

PACKAGES = ["reference/goeventbus"]


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite with the reference's line and branch coverage."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "--cov=goeventbus",
        "--cov-report=term",
        "--cov-fail-under=95",
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
def quickstart(session: nox.Session) -> None:
    """The main job until the benchmark report exists: GoEventBus's Quick Start in Python."""
    session.install(".")
    session.run("python", "examples/quickstart.py")
