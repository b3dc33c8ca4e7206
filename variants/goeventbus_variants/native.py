"""``native``: the ring and the subscribe/publish paths compiled to C (``_native.c``).

The store is the reference with its ring, hot counters, flags and lock moved into a
C ``Core``; ``subscribe``, ``subscribe_many`` and ``publish`` are the Core's C
methods, which handle the common case and call the reference's Python code for
everything else. That code keeps working unchanged because the attributes it reads
and writes (``_published``, ``_closed``, ``_policy``, ...) are redirected into the
Core, and the Core is also the store's lock (``threading.Condition`` accepts it).

Built by ``pip install`` with the machine's C compiler; without one the package
still installs, and importing this module raises ``ImportError`` saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from goeventbus import Context, Event, EventStore, OverrunPolicy
from goeventbus.clock import Clock
from goeventbus.pipeline import Handler, Pipeline, refuse_coroutine
from goeventbus.store import _UNHANDLED

try:
    from goeventbus_variants._native import Core
except ImportError as exc:  # pragma: no cover - exercised only on a machine without gcc
    raise ImportError(
        "the native variant is not built: goeventbus was installed without a working C "
        "compiler (gcc and the Python headers); reinstall with them to use it "
        f"({exc})"
    ) from exc

__all__ = ["NativeEventStore"]

T = TypeVar("T")


class _InCore(Generic[T]):
    """A store attribute kept in the Core, where the C fast paths read it."""

    def __init__(self, field: str, convert: Callable[[Any], T]) -> None:
        self.field = field
        self.convert = convert

    def __get__(self, store: NativeEventStore, owner: type | None = None) -> T:
        return self.convert(getattr(store._core, self.field))

    def __set__(self, store: NativeEventStore, value: T) -> None:
        setattr(store._core, self.field, value)


class NativeEventStore(EventStore):
    """The reference ``EventStore`` with a compiled core; the same behaviour."""

    _ring_type = Core  # type: ignore[assignment]

    _published = _InCore("published", int)
    _dropped = _InCore("dropped", int)
    _processed = _InCore("processed", int)
    _errors = _InCore("errors", int)
    _unhandled = _InCore("unhandled", int)
    _closed = _InCore("closed", bool)
    _async = _InCore("async_mode", bool)
    _room_waiters = _InCore("room_waiters", int)

    def __init__(
        self,
        dispatcher: Mapping[Any, Handler],
        size: int = 65536,
        policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
        *,
        async_mode: bool = False,
        workers: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            dispatcher, size, policy, async_mode=async_mode, workers=workers, clock=clock
        )
        core = self._core
        core.bind(
            returned=self._returned,
            lookup=self._lookup,
            subscribe=super().subscribe,
            subscribe_many=super().subscribe_many,
            publish=super().publish,
            deliver=self._deliver,
            hand_back=self._hand_back,
            unhandled=_UNHANDLED,
            refuse=refuse_coroutine,
            event_type=Event,
            context_type=Context,
            background=Context.background(),
            dispatcher=self._dispatcher,
        )
        self.subscribe = core.subscribe  # type: ignore[method-assign]
        self.subscribe_many = core.subscribe_many  # type: ignore[method-assign]
        self.publish = core.publish  # type: ignore[method-assign]

    @property
    def _core(self) -> Core:
        """The ring, as what it really is."""
        return cast(Core, self._ring)

    def _new_lock(self) -> Any:
        return self._ring

    @property
    def _policy(self) -> OverrunPolicy:
        policy: OverrunPolicy = self.__dict__["_policy_value"]
        return policy

    @_policy.setter
    def _policy(self, policy: OverrunPolicy) -> None:
        self.__dict__["_policy_value"] = policy
        self._core.drop_oldest = policy is OverrunPolicy.DROP_OLDEST

    @property
    def _pipeline(self) -> Pipeline:
        pipeline: Pipeline = self.__dict__["_pipeline_value"]
        return pipeline

    @_pipeline.setter
    def _pipeline(self, pipeline: Pipeline) -> None:
        self.__dict__["_pipeline_value"] = pipeline
        self._core.bare = pipeline.bare

    def _hand_back(self, rest: list[Any]) -> None:
        """An interrupted C dispatch's remaining records go back ahead of everything."""
        with self._lock:
            self._returned.extendleft(reversed(rest))
