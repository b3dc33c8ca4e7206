"""The native variant without a C compiler: the package installs, the variant says why not.

Builds a wheel with a compiler that always fails, then imports from that wheel alone
(``python -S``: no site-packages, no editable install of this checkout).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_without_a_compiler_the_wheel_builds_and_native_explains(tmp_path: Path) -> None:
    env = {**os.environ, "CC": "false", "CXX": "false", "LDSHARED": "false"}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps",
         "-w", str(tmp_path), str(ROOT)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(tmp_path.glob("goeventbus-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert "goeventbus_variants/native.py" in names
    assert not [name for name in names if name.endswith(".so")]

    probe = (
        "import goeventbus_variants.fast\n"
        "try:\n"
        "    import goeventbus_variants.native\n"
        "except ImportError as exc:\n"
        "    print('unavailable:', exc)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env={"PYTHONPATH": str(tmp_path / "site")},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "unavailable: the native variant is not built" in ran.stdout
    assert "C compiler" in ran.stdout
