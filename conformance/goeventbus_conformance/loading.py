"""Finding the implementation under test: ``--impl``, then ``GOEVENTBUS_IMPL``, then the reference.

A spec is either ``module:Class`` or a name registered in the entry-point group
``goeventbus.implementations`` (SEMANTICS section 8).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

GROUP = "goeventbus.implementations"
ENV = "GOEVENTBUS_IMPL"
DEFAULT = "goeventbus:EventStore"


class ImplementationError(Exception):
    """The spec names nothing importable, or something that is not a class."""


@dataclass(frozen=True)
class Target:
    spec: str  # what the user gave (or the default)
    path: str  # module:Class actually loaded
    source: str  # "--impl", "GOEVENTBUS_IMPL" or "default"
    cls: type[Any]

    @property
    def unsupported(self) -> frozenset[str]:
        return frozenset(getattr(self.cls, "unsupported", frozenset()))

    @property
    def name(self) -> str:
        return self.spec if ":" not in self.spec else self.path.replace(":", ".")


def registered() -> dict[str, str]:
    """Registered implementation names and their ``module:Class``."""
    return {entry.name: entry.value for entry in entry_points(group=GROUP)}


def resolve(spec: str, source: str = "--impl") -> Target:
    path = spec if ":" in spec else registered().get(spec)
    if path is None:
        known = ", ".join(sorted(registered())) or "none"
        raise ImplementationError(
            f"{source}={spec!r} is neither module:Class nor a registered implementation "
            f"(registered in {GROUP}: {known})"
        )
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImplementationError(
            f"{source}={spec!r}: cannot import {module_name!r}: {exc}"
        ) from exc
    obj: Any = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ImplementationError(
                f"{source}={spec!r}: module {module_name!r} has no attribute {attribute!r}"
            ) from None
    if not isinstance(obj, type):
        raise ImplementationError(f"{source}={spec!r}: {path} is not a class but {obj!r}")
    return Target(spec=spec, path=path, source=source, cls=obj)


def choose(option: str | None) -> Target:
    """The option wins over the environment; neither means the reference."""
    if option:
        return resolve(option, "--impl")
    if os.environ.get(ENV):
        return resolve(os.environ[ENV], ENV)
    return resolve(DEFAULT, "default")
