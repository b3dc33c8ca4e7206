"""Events as data: the JSON form in which events cross processes through Redis.

Never pickles: a pickle read from a shared server would let anyone who can write to
that server run code in every process that reads it. JSON carries exactly what
round-trips equal: ``None``, ``bool``, ``int``, finite ``float``, ``str``, lists and
dicts with ``str`` keys, nested. Anything else is refused at ``subscribe`` with a
``TypeError`` that names where it is, before anything reaches the server. A
projection must be a ``str`` or an ``int``; ``args["__ctx"]``, a ``Context``, cannot
cross processes and is left out.
"""

from __future__ import annotations

import json
import math
from typing import Any

from goeventbus import Context, Event

__all__ = ["decode", "encode"]

CTX_KEY = "__ctx"


def _refuse(where: str, value: object) -> TypeError:
    return TypeError(
        f"event {where} cannot cross processes as JSON: {type(value).__name__} {value!r:.80}"
    )


def _check(value: object, where: str) -> None:
    if value is None or type(value) in (bool, int, str):
        return
    if type(value) is float:
        if not math.isfinite(value):
            raise _refuse(where, value)
        return
    if type(value) is list:
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise _refuse(f"{where} key", key)
            _check(item, f"{where}[{key!r}]")
        return
    raise _refuse(where, value)


def encode(event: Event, uid: str) -> str:
    """The JSON text of ``event``, tagged with the subscribe's unique id ``uid``."""
    if type(event.id) is not str:
        raise _refuse("id", event.id)
    if type(event.projection) not in (str, int):
        raise _refuse("projection (str or int)", event.projection)
    args = event.args
    if args is not None and isinstance(args.get(CTX_KEY), Context):
        args = {key: value for key, value in args.items() if key != CTX_KEY}
    _check(args, "args")
    return json.dumps(
        {"u": uid, "i": event.id, "p": event.projection, "a": args},
        separators=(",", ":"),
        allow_nan=False,
    )


def decode(text: str | bytes) -> tuple[str, Event]:
    """The subscribe's unique id and an equal copy of the event."""
    document: dict[str, Any] = json.loads(text)
    return document["u"], Event(document["i"], document["p"], document["a"])
