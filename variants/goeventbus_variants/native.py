"""``native``: the ring and the subscribe/publish paths compiled to C (``_native.c``).

The store is the reference with its ring, hot counters, flags and lock moved into a
C ``Core``; ``subscribe``, ``subscribe_many`` and ``publish`` are the Core's C
methods, which handle the common case and call the reference's Python code for
everything else. That code keeps working unchanged because the attributes it reads
and writes (``_published``, ``_closed``, ...) are redirected into the Core, the
policy and the pipeline are mirrored into it where they change, and the Core is also
the store's lock (``threading.Condition`` accepts it).

Built by ``pip install`` with the machine's C compiler; without one the package
still installs, and importing this module raises ``ImportError`` saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, cast

from goeventbus import Context, Event, EventStore, OverrunPolicy
from goeventbus.clock import Clock
from goeventbus.pipeline import Handler, refuse_coroutine
from goeventbus.store import _UNHANDLED
from goeventbus.validation import check_policy

try:
    from goeventbus_variants._native import Core
except ImportError as exc:  # pragma: no cover - exercised only on a machine without gcc
    raise ImportError(
        "the native variant is not built: goeventbus was installed without a working C "
        "compiler (gcc and the Python headers); reinstall with them to use it "
        f"({exc})"
    ) from exc

__all__ = ["NativeEventStore"]


def _in_core(field: str) -> Any:
    """A store attribute kept in the Core, where the C fast paths read it.

    The getter is ``operator.attrgetter`` (C), so the reference's Python code pays
    little for the indirection on its slow paths.
    """

    def store_in_core(store: NativeEventStore, value: object) -> None:
        setattr(store._ring, field, value)

    return property(attrgetter(f"_ring.{field}"), store_in_core)


class NativeEventStore(EventStore):
    """The reference ``EventStore`` with a compiled core; the same behaviour."""

    _ring_type = Core  # type: ignore[assignment]

    _published = _in_core("published")
    _dropped = _in_core("dropped")
    _processed = _in_core("processed")
    _errors = _in_core("errors")
    _unhandled = _in_core("unhandled")
    _closed = _in_core("closed")
    _async = _in_core("async_mode")
    _room_waiters = _in_core("room_waiters")

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
        core.drop_oldest = policy is OverrunPolicy.DROP_OLDEST
        core.bare = self._pipeline.bare
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
    def policy(self) -> OverrunPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: OverrunPolicy) -> None:
        check_policy(policy)
        with self._lock:
            self._policy = policy
            self._core.drop_oldest = policy is OverrunPolicy.DROP_OLDEST
            self._room.notify_all()  # BLOCK waiters re-read the policy

    def _extend(self, **entry: Any) -> None:
        with self._lock:
            self._pipeline = self._pipeline.adding(**entry)
            self._core.bare = self._pipeline.bare

    def _hand_back(self, rest: list[Any]) -> None:
        """An interrupted C dispatch's remaining records go back ahead of everything."""
        with self._lock:
            self._returned.extendleft(reversed(rest))
