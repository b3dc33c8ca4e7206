"""What every state machine shares: a store under test, the model, and their comparison.

Each step runs on the implementation first and then on the model, and the two must
agree on the outcome (no error, or the same kind of error), on the counters of
``stats()``, and on the log that scripted handlers, middleware and hooks write.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant

from goeventbus import (
    BufferFullError,
    Context,
    ContextCancelledError,
    DeadlineExceededError,
    Event,
    ManualClock,
    OverrunPolicy,
    Result,
    StoreClosedError,
)
from goeventbus_conformance import plugin
from goeventbus_conformance.model import (
    MAX_DEPTH,
    Ctx,
    Failed,
    Interrupted,
    Kind,
    Model,
    ModelEvent,
    Policy,
    Refusal,
    Refused,
    Script,
)

#: Bound on every wait the machines make; reaching it is a failure (a hang), not slowness.
WAIT = 10.0

STAT_FIELDS = (
    "published",
    "processed",
    "errors",
    "dropped",
    "unhandled",
    "discarded",
    "rejected",
    "pending",
    "in_flight",
    "immediate",
    "timers_pending",
    "timers_cancelled",
)

REFUSALS: dict[Refusal, type[BaseException]] = {
    Refusal.FULL: BufferFullError,
    Refusal.CLOSED: StoreClosedError,
    Refusal.DEADLINE: DeadlineExceededError,
    Refusal.CANCELLED: ContextCancelledError,
    Refusal.BAD_INPUT: TypeError,
}
POLICIES = {policy: OverrunPolicy[policy.value] for policy in Policy}


@dataclass(frozen=True)
class Key:
    """A frozen-dataclass projection (allowed without the object-projections capability)."""

    name: str


#: Projections every implementation must accept: str, int and a frozen dataclass.
PROJECTIONS: list[Hashable] = ["a", "b", 7, Key("k")]

sizes = st.sampled_from([1, 2, 4, 8, 16])
policies = st.sampled_from(list(Policy))
projections = st.sampled_from(PROJECTIONS)
contexts = st.sampled_from(list(Ctx))
blocking_contexts = st.sampled_from([Ctx.EXPIRED, Ctx.CANCELLED])

BAD_EVENTS: list[object] = [
    "not an event",
    Event(projection=["unhashable"]),  # type: ignore[arg-type]
    Event(projection="a", args=["not", "a", "dict"]),  # type: ignore[arg-type]
]


class ScriptedError(Exception):
    """What a FAIL script raises."""


class ScriptedInterrupt(BaseException):
    """What an INTERRUPT script raises: a BaseException that is not an Exception."""


def context_for(kind: Ctx) -> Context | None:
    if kind is Ctx.NONE:
        return None
    if kind is Ctx.LIVE:
        return Context.background().with_timeout(WAIT)
    if kind is Ctx.EXPIRED:
        return Context.background().with_timeout(-1)
    ctx, cancel = Context.background().with_cancel()
    cancel()
    return ctx


def first_difference(actual: list[Any], expected: list[Any]) -> str:
    for index, (left, right) in enumerate(zip(actual, expected, strict=False)):
        if left != right:
            return f"at entry {index}: implementation {left!r}, model {right!r}"
    return f"lengths differ: implementation {len(actual)}, model {len(expected)}"


class StoreMachine(RuleBasedStateMachine):
    """The shared harness; subclasses add the rules of their area."""

    #: Compare logs as multisets (async dispatch promises no order).
    unordered_log = False

    def __init__(self) -> None:
        super().__init__()
        self.impl = plugin.target().cls
        self.store: Any = None
        self.model = Model(size=1)
        self.dispatcher: dict[Hashable, Any] = {}
        self.log: list[tuple[object, ...]] = []
        self.raised: dict[int, BaseException] = {}
        self.impl_tag = 0
        self.main_thread = threading.get_ident()
        self.clock = ManualClock()
        self.steps = 0

    # -- building -----------------------------------------------------------------

    def open(self, size: int, policy: Policy, start: float = 0.0, **options: Any) -> None:
        self.clock = ManualClock(start=start)
        self.store = self.impl(self.dispatcher, size, POLICIES[policy], clock=self.clock, **options)
        self.model = Model(size=size, policy=policy, now=start)

    def new_event(self, projection: Hashable) -> tuple[ModelEvent, Event]:
        model_event = self.model.new_event(projection)
        return model_event, self.event_for(model_event)

    @staticmethod
    def event_for(model_event: ModelEvent) -> Event:
        args = {"tag": model_event.tag, "depth": model_event.depth}
        return Event(str(model_event.tag), model_event.projection, args)

    def handler_for(self, script: Script) -> Callable[[Context, dict[str, Any]], Any]:
        """The real handler that does what ``script`` tells the model it does."""

        def handler(ctx: Context, args: dict[str, Any]) -> Any:
            tag, depth = args["tag"], args["depth"]
            self.before_handler()
            self.log.append(("handler", script.name, tag))
            try:
                self.perform(script, depth)
            except Exception as exc:
                self.raised[tag] = exc
                raise
            return Result(script.name)

        return handler

    def before_handler(self) -> None:
        """A hook for machines that hold workers back (see ``LifecycleMachine``)."""

    def perform(self, script: Script, depth: int) -> None:
        if script.kind is Kind.FAIL:
            raise ScriptedError(script.name)
        if script.kind is Kind.INTERRUPT:
            raise ScriptedInterrupt(script.name)
        if depth >= MAX_DEPTH:
            return
        if script.kind is Kind.SUBSCRIBE:
            follow_up = ModelEvent(self.impl_tag, script.target, depth + 1)
            self.impl_tag += 1
            self.store.subscribe(self.event_for(follow_up), context_for(Ctx.EXPIRED))
        elif script.kind is Kind.PUBLISH:
            self.store.publish()
        elif script.kind is Kind.REPLACE:
            assert script.replacement is not None
            self.dispatcher[script.target] = self.handler_for(script.replacement)

    def register(self, projection: Hashable, script: Script) -> None:
        self.dispatcher[projection] = self.handler_for(script)
        self.model.dispatcher[projection] = script

    # -- running both ---------------------------------------------------------------

    def both(self, on_impl: Callable[[], Any], on_model: Callable[[], Any]) -> Any:
        """Run one step on each side; check they agree; return the implementation's result."""
        self.impl_tag = self.model.next_tag
        self.steps += 1
        result = error = None
        try:
            result = on_impl()
        except (Exception, ScriptedInterrupt) as exc:
            error = exc
        expected: BaseException | None = None
        try:
            on_model()
        except (Refused, Failed, Interrupted) as exc:
            expected = exc
        self.check_outcome(error, expected)
        self.compare()
        assert self.impl_tag == self.model.next_tag, (
            "the handlers subscribed a different number of events than the model's"
        )
        return result

    def check_outcome(self, error: BaseException | None, expected: BaseException | None) -> None:
        if expected is None:
            assert error is None, f"the model expected success, the implementation raised {error!r}"
        elif isinstance(expected, Refused):
            wanted = REFUSALS[expected.why]
            assert isinstance(error, wanted), f"expected {wanted.__name__}, got {error!r}"
        elif isinstance(expected, Interrupted):
            assert isinstance(error, ScriptedInterrupt), (
                f"expected the handler's BaseException to propagate, got {error!r}"
            )
        else:
            assert isinstance(expected, Failed)
            raised = self.raised.get(expected.event.tag)
            assert error is raised, (
                f"expected the exception raised by the handler of event {expected.event.tag} "
                f"({raised!r}) to be re-raised, got {error!r}"
            )

    def compare(self) -> None:
        actual = self.store.stats()
        expected = self.model.stats()
        differing = {
            name: (getattr(actual, name), expected[name])
            for name in STAT_FIELDS
            if getattr(actual, name) != expected[name]
        }
        assert not differing, f"stats differ (implementation, model): {differing}"
        assert tuple(self.store.metrics()) == (
            expected["published"],
            expected["processed"],
            expected["errors"],
        ), "metrics() disagrees with stats()"
        if self.unordered_log:
            assert Counter(self.log) == Counter(self.model.log), (
                f"different dispatches: {Counter(self.log) - Counter(self.model.log)} extra, "
                f"{Counter(self.model.log) - Counter(self.log)} missing"
            )
        else:
            assert self.log == self.model.log, (
                f"dispatch log differs {first_difference(self.log, self.model.log)}"
            )

    @invariant()
    def accounting_law(self) -> None:
        if self.store is None:
            return
        stats = self.store.stats()
        left = stats.published + stats.immediate
        right = (
            stats.processed
            + stats.unhandled
            + stats.dropped
            + stats.discarded
            + stats.pending
            + stats.in_flight
        )
        assert left == right, f"accounting law broken: {dataclasses.asdict(stats)}"

    def teardown(self) -> None:
        """Close the store; a scripted interrupt during the final flush is not a failure."""
        if self.store is None:
            return
        for _ in range(self.model.next_tag + 1):
            try:
                self.store.close(Context.background().with_timeout(WAIT))
            except ScriptedInterrupt:
                continue
            return
