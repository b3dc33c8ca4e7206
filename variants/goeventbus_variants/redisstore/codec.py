"""Events as data: the JSON form in which events cross processes through Redis.

Never pickles: a pickle read from a shared server would let anyone who can write to
that server run code in every process that reads it. JSON carries exactly what
round-trips equal: ``None``, ``bool``, ``int``, finite ``float``, ``str``, lists and
dicts with ``str`` keys, nested, plus ``bytes`` (Go's events carry ``[]byte``), which
travel as ``{"$bytes": base64}``; a dict of exactly that shape is therefore refused,
as it would come back as bytes. Anything else is refused at ``subscribe`` with a
``TypeError`` that names where it is, before anything reaches the server.

A projection is a ``str``, an ``int``, or a frozen dataclass whose fields are
``str`` or ``int`` (SEMANTICS section 8 without ``object-projections``). A dataclass
travels as its qualified name and fields, and is rebuilt only from a class the
reading process already knows (its dispatcher's keys, or what it subscribed itself):
naming a module on the server never makes another process import it. An unknown
one arrives as a ``Foreign`` projection, which no handler matches.
``args["__ctx"]``, a ``Context``, cannot cross processes and is left out.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from goeventbus import Context, Event

__all__ = ["Foreign", "decode", "encode", "type_name"]

CTX_KEY = "__ctx"
TAG = "$dataclass"
BYTES = "$bytes"


@dataclasses.dataclass(frozen=True)
class Foreign:
    """A dataclass projection whose class this process does not know."""

    name: str
    fields: tuple[tuple[str, str | int], ...]


def type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _projection(value: object) -> object:
    if type(value) in (str, int):
        return value
    if type(value) is Foreign:  # passing through a process that does not know its class
        return {TAG: value.name, "fields": dict(value.fields)}
    params = getattr(type(value), "__dataclass_params__", None)
    if params is not None and params.frozen:
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
        if all(type(field) in (str, int) for field in fields.values()):
            return {TAG: type_name(type(value)), "fields": fields}
    raise _refuse("projection (str, int or a frozen dataclass of those)", value)


def _refuse(where: str, value: object) -> TypeError:
    return TypeError(
        f"event {where} cannot cross processes as JSON: {type(value).__name__} {value!r:.80}"
    )


def _check(value: object, where: str) -> None:
    if value is None or type(value) in (bool, int, str, bytes):
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
        if len(value) == 1 and BYTES in value:
            raise _refuse(f"{where} (the shape bytes travel in)", value)
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
    projection = _projection(event.projection)
    args = event.args
    if args is not None and isinstance(args.get(CTX_KEY), Context):
        args = {key: value for key, value in args.items() if key != CTX_KEY}
    _check(args, "args")
    return json.dumps(
        {"u": uid, "i": event.id, "p": projection, "a": args},
        separators=(",", ":"),
        allow_nan=False,
        default=_bytes,
    )


def _bytes(value: object) -> dict[str, str]:
    if type(value) is bytes:
        return {BYTES: base64.b64encode(value).decode("ascii")}
    raise _refuse("value", value)  # _check let nothing else through


def _revive(document: dict[str, Any]) -> Any:
    if len(document) == 1 and BYTES in document:
        return base64.b64decode(document[BYTES])
    return document


def decode(text: str | bytes, known: Mapping[str, type] | None = None) -> tuple[str, Event]:
    """The subscribe's unique id and an equal copy of the event.

    ``known`` maps ``type_name`` to the dataclasses this process may rebuild.
    """
    document: dict[str, Any] = json.loads(text, object_hook=_revive)
    projection = document["p"]
    if type(projection) is dict:
        cls = (known or {}).get(projection[TAG])
        fields = projection["fields"]
        projection = cls(**fields) if cls else Foreign(projection[TAG], tuple(fields.items()))
    return document["u"], Event(document["i"], projection, document["a"])
