"""A store whose subscribe always fails: the harness must record it and carry on."""

from __future__ import annotations

from typing import Any

from goeventbus import EventStore


class BrokenStore(EventStore):
    def subscribe(self, event: Any, ctx: Any = None) -> None:
        raise RuntimeError("this store is broken on purpose")
