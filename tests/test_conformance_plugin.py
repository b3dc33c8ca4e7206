"""The conformance suite's plumbing: choosing the implementation, capabilities, reports.

Each test runs pytest in a subprocess, as a user would, on a slice of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from goeventbus_conformance.activation import PACKAGE_DIR, targets_suite

HELPERS = Path(__file__).resolve().parent / "stores"


def run_suite(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(HELPERS), **(env or {})}
    environment.pop(
        "GOEVENTBUS_IMPL", None
    ) if env is None or "GOEVENTBUS_IMPL" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=cwd,
        check=False,
    )


def test_targets_suite_recognises_the_suites_own_runs() -> None:
    assert targets_suite(["goeventbus_conformance"], pyargs=True)
    assert targets_suite(["goeventbus_conformance.test_surface"], pyargs=True)
    assert targets_suite([str(PACKAGE_DIR)], pyargs=False)
    assert targets_suite([f"{PACKAGE_DIR / 'test_surface.py'}::test_method"], pyargs=False)
    assert targets_suite([str(PACKAGE_DIR.parent)], pyargs=False)
    assert not targets_suite(["tests"], pyargs=False)
    assert not targets_suite(["goeventbus_conformance"], pyargs=False)


def test_unsupported_capabilities_are_reported_not_applicable(tmp_path: Path) -> None:
    done = run_suite(
        "--pyargs", "goeventbus_conformance", "-m", "capability",
        "--impl", "partial_store:NoIdentityStore", f"--conformance-report={tmp_path}",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "declared unsupported: object-identity" in done.stdout
    assert "not applicable" in done.stdout.splitlines()[-1]
    report = json.loads((tmp_path / "partial_store_NoIdentityStore.json").read_text())
    assert report["unsupported"] == ["object-identity"]
    assert report["totals"]["not applicable"] == 2
    assert report["totals"]["failed"] == 0
    assert [test.rsplit("::", 1)[1] for test in report["not_applicable"]] == [
        "test_handlers_and_hooks_get_the_callers_objects",
        "test_middleware_changes_to_args_are_seen_by_the_caller",
    ]
    markdown = (tmp_path / "partial_store_NoIdentityStore.md").read_text()
    assert "| 5 | Publish, dispatch and async mode |" in markdown


def test_unknown_capability_is_a_usage_error() -> None:
    done = run_suite("--pyargs", "goeventbus_conformance", "--impl", "partial_store:StrangeStore")
    assert done.returncode == 4
    assert "unknown capabilities ['teleportation']" in done.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module:Store", "cannot import 'no_such_module'"),
        ("partial_store:Missing", "has no attribute 'Missing'"),
        ("partial_store:NOT_A_CLASS", "is not a class"),
        ("no-such-name", "neither module:Class nor a registered implementation"),
    ],
)
def test_bad_impl_specs_are_usage_errors(spec: str, message: str) -> None:
    done = run_suite("--pyargs", "goeventbus_conformance", "--impl", spec)
    assert done.returncode == 4
    assert message in done.stderr


def test_environment_variable_and_option_precedence() -> None:
    env = {"GOEVENTBUS_IMPL": "partial_store:NoIdentityStore"}
    from_env = run_suite("--pyargs", "goeventbus_conformance", "-m", "surface", env=env)
    assert "partial_store:NoIdentityStore" in from_env.stdout
    assert "from GOEVENTBUS_IMPL" in from_env.stdout
    option_wins = run_suite(
        "--pyargs", "goeventbus_conformance", "-m", "surface", "--impl", "reference", env=env
    )
    assert "implementation under test: reference (goeventbus:EventStore, from --impl)" in (
        option_wins.stdout
    )
    assert option_wins.returncode == 0


def test_default_is_the_reference() -> None:
    done = run_suite("--pyargs", "goeventbus_conformance", "-m", "surface")
    assert done.returncode == 0, done.stdout
    assert "goeventbus:EventStore (goeventbus:EventStore, from default)" in done.stdout


def test_plugin_stays_out_of_unrelated_runs(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(
        "def test_fixtures(request):\n"
        "    assert 'make_store' not in request.fixturenames\n"
        "    assert not request.config.pluginmanager.has_plugin('goeventbus-conformance-plugin')\n"
    )
    done = run_suite(str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "implementation under test" not in done.stdout


def test_a_broken_store_fails_with_the_surface_first() -> None:
    done = run_suite("--pyargs", "goeventbus_conformance", "--impl", "partial_store:NoDrain")
    assert done.returncode == 1
    assert "has no method drain()" in done.stdout
    assert "the API surface check failed" in done.stdout
    assert "test_machines" not in done.stdout
