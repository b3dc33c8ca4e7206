"""The suite's pytest plugin: the implementation under test, capabilities, order, report.

Registered only for the suite's own runs (by ``activation``, or explicitly with
``-p goeventbus_conformance.plugin``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from goeventbus_conformance import capabilities, loading, profiles, report
from goeventbus_conformance.helpers import store_factory
from goeventbus_conformance.loading import Target

NOT_APPLICABLE = "not applicable"
_state: dict[str, Any] = {}


def target() -> Target:
    """The implementation under test (set when the plugin is configured)."""
    try:
        chosen: Target = _state["target"]
    except KeyError:
        raise RuntimeError("the goeventbus conformance plugin is not configured") from None
    return chosen


def pytest_configure(config: pytest.Config) -> None:
    profiles.register()
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(profiles.DEFAULT)
    try:
        chosen = loading.choose(config.getoption("impl", default=None))
    except loading.ImplementationError as exc:
        raise pytest.UsageError(str(exc)) from None
    strange = capabilities.unknown(chosen.unsupported)
    if strange:
        raise pytest.UsageError(
            f"{chosen.path}.unsupported names unknown capabilities {sorted(strange)}; "
            f"the only ones are {sorted(capabilities.CAPABILITIES)}"
        )
    _state.update(target=chosen, results=[], started=time.time())
    config.addinivalue_line("markers", "capability(name): needs an optional capability")
    config.addinivalue_line("markers", "section(*numbers): the SEMANTICS.md sections checked")
    config.addinivalue_line("markers", "surface: an API surface check, run before the rest")


def pytest_report_header(config: pytest.Config) -> list[str]:
    chosen = target()
    lines = [
        f"goeventbus implementation under test: {chosen.spec} "
        f"({chosen.path}, from {chosen.source})",
        f"goeventbus conformance profile: {profiles.current()}",
    ]
    if chosen.unsupported:
        lines.append(f"declared unsupported: {', '.join(sorted(chosen.unsupported))}")
    return lines


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("surface") is None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    unsupported = target().unsupported
    for marker in item.iter_markers("capability"):
        name = marker.args[0]
        if name not in capabilities.CAPABILITIES:
            raise ValueError(f"{item.nodeid} names an unknown capability {name!r}")
        if name in unsupported:
            pytest.skip(f"{NOT_APPLICABLE}: {target().spec} declares {name!r} unsupported")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    result = yield
    if result.when == "call" or (result.when == "setup" and not result.passed):
        sections = [str(s) for m in item.iter_markers("section") for s in m.args]
        _state["results"].append(
            {"test": item.nodeid, "outcome": _outcome(result), "sections": sections}
        )
        if result.failed and item.get_closest_marker("surface") is not None:
            _state["surface_failed"] = True
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> bool | None:
    """Once every surface check has run, stop if any failed: behaviour tests would only
    repeat the same missing member in hundreds of confusing ways."""
    if _state.get("surface_failed") and item.get_closest_marker("surface") is None:
        item.session.shouldfail = (
            "the API surface check failed: fix the missing or misshapen members first"
        )
        return True
    return None


def _outcome(result: pytest.TestReport) -> str:
    if result.skipped:
        return NOT_APPLICABLE if NOT_APPLICABLE in str(result.longrepr) else "skipped"
    return "passed" if result.passed else "failed"


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    if report.skipped and NOT_APPLICABLE in str(report.longrepr):
        return NOT_APPLICABLE, "n", "NOT APPLICABLE"
    return None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    results: list[dict[str, Any]] = _state.get("results", [])
    if not results:
        return
    document = report.build(target(), results, profiles.current(), _state["started"])
    terminalreporter.section("goeventbus conformance")
    for line in report.summary_lines(document):
        terminalreporter.line(line)
    directory = config.getoption("conformance_report", default=None)
    if directory:
        for path in report.write(document, Path(directory)):
            terminalreporter.line(f"report written: {path}")


@pytest.fixture
def impl() -> type[Any]:
    """The EventStore class under test."""
    return target().cls


@pytest.fixture
def make_store(impl: type[Any]) -> Iterator[Callable[..., Any]]:
    """Build stores of the implementation under test; teardown closes them, bounded."""
    yield from store_factory(impl)
