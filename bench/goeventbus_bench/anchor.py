"""GoEventBus's published figures: shown beside ours, labelled, never mixed with measurements."""

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


def go_anchor() -> Anchor:
    data = json.loads(files("goeventbus_bench").joinpath("data/go_anchor.json").read_text())
    return Anchor(data["label"], data["source"], data["url"], dict(data["figures"]))
