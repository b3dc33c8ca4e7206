"""Subjects: what the matrix measures. Store implementations, baselines and peer libraries.

Implementations come from the ``goeventbus.implementations`` entry points (every
registered name by default) or from a ``module:Class`` spec, exactly as the
conformance suite's ``--impl`` takes them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from typing import Any

from goeventbus_bench import baselines, peers, redis_floors
from goeventbus_bench.registry import BASELINE, IMPLEMENTATION, PEER
from goeventbus_conformance.loading import ImplementationError, registered, resolve

REDIS_STORE = "goeventbus_variants.redisstore"


class UnavailableError(Exception):
    """A subject that cannot be measured here (not installed, not importable, not built)."""


@dataclass(frozen=True)
class Subject:
    name: str
    kind: str
    #: ``module:Class`` of an implementation, the module of a peer, "" for a baseline
    target: str = ""

    @property
    def needs_redis(self) -> bool:
        """Measured against a Redis server (the harness starts one unless given one)."""
        return self.target.startswith(REDIS_STORE) or self.name in redis_floors.NAMES

    def load(self) -> Any:
        """The store class for an implementation; None for others, once importable."""
        if self.needs_redis:
            try:
                importlib.import_module("redis")
            except ImportError as exc:
                raise UnavailableError(
                    f"{self.name} needs redis-py ({exc}): pip install 'goeventbus[redis]'"
                ) from exc
        if self.kind == IMPLEMENTATION:
            try:
                return resolve(self.name).cls
            except ImplementationError as exc:
                raise UnavailableError(str(exc)) from exc
        if self.kind == PEER:
            try:
                importlib.import_module(self.target)
            except ImportError as exc:
                raise UnavailableError(
                    f"peer {self.name} is not installed ({exc}); the bench sessions install it"
                ) from exc
        return None

    def version(self) -> str:
        module = self.target.partition(":")[0].split(".")[0] or "goeventbus_bench"
        for distribution in packages_distributions().get(module, [module]):
            try:
                return version(distribution)
            except PackageNotFoundError:
                continue
        return "unknown"


def implementations(specs: Iterable[str] = ()) -> list[Subject]:
    chosen = list(specs) or sorted(registered())
    return [Subject(spec, IMPLEMENTATION, registered().get(spec, spec)) for spec in chosen]


def baseline_subjects() -> list[Subject]:
    return [Subject(name, BASELINE) for name in (*baselines.NAMES, *redis_floors.NAMES)]


def peer_subjects() -> list[Subject]:
    return [Subject(name, PEER, module) for name, module in peers.MODULES.items()]


def find(name: str) -> Subject:
    """The subject a worker process was told to measure, by the name the matrix gave it."""
    for subject in baseline_subjects() + peer_subjects():
        if subject.name == name:
            return subject
    return implementations([name])[0]
