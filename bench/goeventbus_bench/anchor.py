"""GoEventBus's own figures: shown beside ours, labelled, never mixed with measurements.

``go_anchor`` is what GoEventBus's README published (another machine);
``go_on_this_machine`` is what issue 5 reports Go doing on this machine, which the
performance goals are stated against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True)
class Anchor:
    label: str
    source: str
    url: str
    #: nanoseconds per operation by Go benchmark name
    figures: dict[str, float]


def _load(name: str) -> Anchor:
    data = json.loads(files("goeventbus_bench").joinpath(f"data/{name}.json").read_text())
    return Anchor(data["label"], data["source"], data["url"], dict(data["figures"]))


def go_anchor() -> Anchor:
    return _load("go_anchor")


def go_on_this_machine() -> Anchor:
    return _load("go_this_machine")
