"""The README's main command runs this example; it must print what the README promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"


def test_quickstart_prints_handlers_and_metrics() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "User created with ID: 12345",
        "House sold for $100,000",
        "Metrics: published=2 processed=2 errors=0",
    ]
