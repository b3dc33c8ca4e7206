"""The one piece of the suite that pytest loads in every run (entry point ``pytest11``).

pytest must know ``--impl`` before it parses the command line, which is before it
imports any conftest of an installed package; so this module only declares the
suite's options and, when the run's arguments point at the suite, registers the real
plugin (``goeventbus_conformance.plugin``). In any other run it does nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = "goeventbus_conformance"
PACKAGE_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("goeventbus-conformance", "goeventbus conformance suite")
    group.addoption(
        "--impl",
        default=None,
        metavar="SPEC",
        help="implementation under test: module:Class or a registered name "
        "(default: $GOEVENTBUS_IMPL, else the reference). Used only by goeventbus_conformance.",
    )
    group.addoption(
        "--conformance-report",
        default=None,
        metavar="DIR",
        help="write the conformance report (JSON and Markdown) into DIR.",
    )


def targets_suite(args: list[str], pyargs: bool) -> bool:
    """Whether these command-line arguments collect the conformance suite."""
    for arg in args:
        head = arg.split("::")[0]
        if pyargs and head.split(".")[0] == PACKAGE:
            return True
        path = Path(head).resolve()
        if path == PACKAGE_DIR or PACKAGE_DIR in path.parents or path in PACKAGE_DIR.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if targets_suite(list(config.args), bool(config.option.pyargs)):
        from goeventbus_conformance import plugin

        if not config.pluginmanager.is_registered(plugin):
            config.pluginmanager.register(plugin, "goeventbus-conformance-plugin")
