"""The conformance report: per SEMANTICS section, what passed, failed or did not apply."""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from goeventbus_conformance.loading import Target

SECTIONS = {
    "1": "Public API",
    "2": "Construction and bad input",
    "3": "Subscribe and the overrun policies",
    "4": "Accounting",
    "5": "Publish, dispatch and async mode",
    "5a": "Close",
    "6": "Scheduling",
    "7": "Transactions",
    "8": "Capabilities",
}
OUTCOMES = ("passed", "failed", "not applicable", "skipped")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def build(
    target: Target, results: list[dict[str, Any]], profile: str, started: float
) -> dict[str, Any]:
    per_section: dict[str, Counter[str]] = {number: Counter() for number in SECTIONS}
    for result in results:
        for section in result["sections"] or ["untagged"]:
            per_section.setdefault(section, Counter())[result["outcome"]] += 1
    totals = Counter(result["outcome"] for result in results)
    return {
        "implementation": {"spec": target.spec, "path": target.path, "source": target.source},
        "unsupported": sorted(target.unsupported),
        "verdict": "conforms" if not totals["failed"] else "does not conform",
        "profile": profile,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_seconds": round(time.time() - started, 1),
        "versions": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "goeventbus": _version("goeventbus"),
            "hypothesis": _version("hypothesis"),
            "pytest": _version("pytest"),
        },
        "totals": {outcome: totals[outcome] for outcome in OUTCOMES},
        "sections": {
            number: {outcome: counts[outcome] for outcome in OUTCOMES}
            for number, counts in per_section.items()
        },
        "failed": sorted(r["test"] for r in results if r["outcome"] == "failed"),
        "not_applicable": sorted(r["test"] for r in results if r["outcome"] == "not applicable"),
    }


def _row(number: str, counts: dict[str, int]) -> str:
    title = SECTIONS.get(number, "(untagged)")
    return (
        f"| {number} | {title} | {counts['passed']} | {counts['failed']} "
        f"| {counts['not applicable']} |"
    )


def markdown(document: dict[str, Any]) -> str:
    impl = document["implementation"]
    lines = [
        f"# Conformance: {impl['spec']}",
        "",
        f"**{document['verdict']}** to SEMANTICS.md ({impl['path']}, "
        f"profile `{document['profile']}`, {document['duration_seconds']} s, "
        f"{document['started']})",
        "",
        "| section | title | passed | failed | not applicable |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [_row(number, counts) for number, counts in document["sections"].items()]
    if document["unsupported"]:
        lines += ["", f"Declared unsupported: {', '.join(document['unsupported'])}."]
    if document["failed"]:
        lines += ["", "## Failed", ""] + [f"- `{test}`" for test in document["failed"]]
    if document["not_applicable"]:
        lines += ["", "## Not applicable", ""] + [
            f"- `{test}`" for test in document["not_applicable"]
        ]
    versions = ", ".join(f"{name} {value}" for name, value in document["versions"].items())
    lines += ["", f"Versions: {versions}.", ""]
    return "\n".join(lines)


def summary_lines(document: dict[str, Any]) -> list[str]:
    impl = document["implementation"]
    totals = document["totals"]
    lines = [
        f"{impl['spec']} ({impl['path']}): {document['verdict']} "
        f"[{totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['not applicable']} not applicable]",
    ]
    for number, counts in document["sections"].items():
        if any(counts.values()):
            title = SECTIONS.get(number, "(untagged)")
            lines.append(
                f"  section {number:>2} {title:<36} {counts['passed']:>3} passed "
                f"{counts['failed']:>3} failed {counts['not applicable']:>3} n/a"
            )
    if document["unsupported"]:
        lines.append(f"  not applicable, by declaration: {', '.join(document['unsupported'])}")
    return lines


def slug(spec: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in spec).strip("_")


def write(document: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = slug(document["implementation"]["spec"])
    json_path = directory / f"{stem}.json"
    md_path = directory / f"{stem}.md"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path.write_text(markdown(document))
    return [json_path, md_path]
