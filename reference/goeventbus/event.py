"""The two values that cross the store's API: what is enqueued and what a handler returns."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Event:
    """One event: ``projection`` selects the handler, ``args`` is handed to it.

    Mutable on purpose, like Go's struct: handlers receive ``args`` itself (not a
    copy) and hooks receive this very object.
    """

    id: str = ""
    projection: Hashable = None
    args: dict[str, Any] | None = None


@dataclass(slots=True)
class Result:
    """What a handler may return; the store passes it to after-hooks untouched."""

    message: str = ""
