"""The conformance results of ``reports/conformance``, when present, as report sections."""

from __future__ import annotations

import json
from pathlib import Path

from goeventbus_reports.tables import markdown_table

MUTANTS = "mutants.md"


def section(directory: Path) -> list[str]:
    documents = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        document = json.loads(path.read_text())
        if isinstance(document, dict) and "verdict" in document:
            documents.append(document)
    mutants = directory / MUTANTS
    if not documents and not mutants.exists():
        return [f"No conformance results in `{directory}` (run `nox -s conformance`)."]
    lines: list[str] = []
    if documents:
        rows = [
            [
                f"**{d['implementation']['spec']}**",
                d["verdict"],
                str(d["totals"]["passed"]),
                str(d["totals"]["failed"]),
                str(d["totals"]["not applicable"]),
                ", ".join(d["unsupported"]) or "none",
                f"`{d['profile']}`",
                d["started"],
            ]
            for d in documents
        ]
        header = [
            "implementation",
            "verdict",
            "passed",
            "failed",
            "not applicable",
            "declared unsupported",
            "profile",
            "run",
        ]
        lines += markdown_table(header, rows, "llrrrlll")
    if mutants.exists():
        body = mutants.read_text().strip().splitlines()
        lines += ["", "The suite against its mutants (`nox -s mutants`):", ""]
        lines += [
            line.replace("# ", "#### ", 1) if line.startswith("# ") else line for line in body
        ]
    return lines
