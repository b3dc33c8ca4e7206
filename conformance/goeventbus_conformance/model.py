"""An executable model of SEMANTICS.md: a deque, some counters, and nothing clever.

It is sequential and synchronous, and it imports nothing from ``goeventbus``: it was
written from the contract alone, so that agreeing with it means something. The state
machines drive an implementation and this model with the same steps and compare
what the two did.

Handlers are *scripts* (``Script``): what the real handler does is what the model
predicts, including re-entrant subscribes and publishes, so the model runs the same
recursion the implementation must. Everything a handler, hook or middleware does
is written to ``log`` as a tuple, in the order the contract fixes.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

#: Re-entrant effects stop at this depth, so scripted handlers cannot recurse forever.
MAX_DEPTH = 2


class Refusal(enum.Enum):
    """Why a subscribe, commit or schedule was refused (mapped to exceptions by the machines)."""

    FULL = "buffer full"
    CLOSED = "store closed"
    DEADLINE = "deadline exceeded"
    CANCELLED = "context cancelled"
    BAD_INPUT = "bad input"


class Refused(Exception):
    def __init__(self, why: Refusal) -> None:
        super().__init__(why.value)
        self.why = why


class Interrupted(BaseException):
    """The model's KeyboardInterrupt: a handler script that ends dispatch abruptly."""


class Failed(Exception):
    """A handler script that raised; ``event`` is the model event whose handler failed."""

    def __init__(self, event: ModelEvent) -> None:
        super().__init__(event.tag)
        self.event = event


class Kind(enum.Enum):
    OK = "ok"
    FAIL = "fail"
    SUBSCRIBE = "subscribe"  # subscribe a follow-up event, with an already-expired context
    PUBLISH = "publish"  # publish re-entrantly
    REPLACE = "replace"  # point this projection at another script
    INTERRUPT = "interrupt"  # raise a BaseException that is not an Exception


@dataclass(frozen=True)
class Script:
    name: str
    kind: Kind
    target: Hashable = None  # SUBSCRIBE: the follow-up's projection; REPLACE: the projection
    replacement: Script | None = None  # REPLACE: the script to install


@dataclass(frozen=True)
class ModelEvent:
    tag: int
    projection: Hashable
    depth: int = 0


class Policy(enum.Enum):
    DROP_OLDEST = "DROP_OLDEST"
    BLOCK = "BLOCK"
    RETURN_ERROR = "RETURN_ERROR"


class Ctx(enum.Enum):
    """The contexts the machines pass: only their effect on a full BLOCK store matters."""

    NONE = "none"
    LIVE = "live"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass
class Counters:
    published: int = 0
    processed: int = 0
    errors: int = 0
    dropped: int = 0
    unhandled: int = 0
    discarded: int = 0
    rejected: int = 0
    in_flight: int = 0
    immediate: int = 0
    timers_pending: int = 0
    timers_cancelled: int = 0


@dataclass
class ModelTimer:
    due: float
    event: ModelEvent
    state: str = "pending"  # "pending", "fired" or "cancelled"


@dataclass
class Model:
    size: int
    policy: Policy = Policy.DROP_OLDEST
    async_mode: bool = False
    now: float = 0.0
    closed: bool = False
    pending: deque[ModelEvent] = field(default_factory=deque)
    counters: Counters = field(default_factory=Counters)
    dispatcher: dict[Hashable, Script] = field(default_factory=dict)
    middleware: int = 0
    before_hooks: int = 0
    after_hooks: int = 0
    error_hooks: int = 0
    log: list[tuple[object, ...]] = field(default_factory=list)
    #: Events handed to async workers and not yet run (the machines release them).
    handed_off: list[ModelEvent] = field(default_factory=list)
    timers: list[ModelTimer] = field(default_factory=list)
    next_tag: int = 0

    def new_event(self, projection: Hashable, depth: int = 0) -> ModelEvent:
        event = ModelEvent(self.next_tag, projection, depth)
        self.next_tag += 1
        return event

    def stats(self) -> dict[str, int]:
        counts = vars(self.counters).copy()
        counts["pending"] = len(self.pending)
        return counts

    # -- section 3 ----------------------------------------------------------------

    def _make_room(self, needed: int, ctx: Ctx) -> None:
        while len(self.pending) + needed > self.size:
            if self.policy is Policy.DROP_OLDEST:
                self.pending.popleft()
                self.counters.dropped += 1
            elif self.policy is Policy.RETURN_ERROR:
                raise Refused(Refusal.FULL)
            elif ctx is Ctx.EXPIRED:
                raise Refused(Refusal.DEADLINE)
            elif ctx is Ctx.CANCELLED:
                raise Refused(Refusal.CANCELLED)
            else:
                raise AssertionError("a BLOCK subscribe with a live context would wait forever")

    def would_wait(self, needed: int = 1) -> bool:
        """Whether a BLOCK call needing ``needed`` slots would have to wait."""
        return self.policy is Policy.BLOCK and len(self.pending) + needed > self.size

    def subscribe(self, event: ModelEvent, ctx: Ctx = Ctx.NONE) -> None:
        try:
            if self.closed:
                raise Refused(Refusal.CLOSED)
            self._make_room(1, ctx)
        except Refused:
            self.counters.rejected += 1
            raise
        self.pending.append(event)
        self.counters.published += 1

    def refuse_bad_input(self) -> None:
        """A subscribe of something that is not a valid event: counted, then refused."""
        self.counters.rejected += 1
        raise Refused(Refusal.BAD_INPUT)

    # -- section 5 ----------------------------------------------------------------

    def publish(self) -> None:
        if self.closed:
            raise Refused(Refusal.CLOSED)
        self._run_batch(self._claim())

    def _claim(self) -> list[ModelEvent]:
        batch = list(self.pending)
        self.pending.clear()
        return batch

    def _run_batch(self, batch: list[ModelEvent]) -> None:
        if self.async_mode and batch:
            self.counters.in_flight += len(batch)
            self.handed_off.extend(batch)
        else:
            self.dispatch(batch)

    def dispatch(self, batch: list[ModelEvent], owned_from: int | None = None) -> None:
        """Run ``batch`` in order; from ``owned_from`` on the events are a transaction's."""
        owned_from = len(batch) if owned_from is None else owned_from
        for index, event in enumerate(batch):
            try:
                failed = self.deliver(event)
            except Interrupted:
                self.pending.extendleft(reversed(batch[index + 1 :]))
                raise
            if failed and index >= owned_from:
                self.counters.discarded += len(batch) - index - 1
                raise Failed(event)

    def deliver(self, event: ModelEvent) -> bool:
        """Dispatch one event; say whether its handler failed."""
        script = self.dispatcher.get(event.projection)
        if script is None:
            self.counters.unhandled += 1
            return False
        tag = event.tag
        self.log.extend(("before", i, tag) for i in range(self.before_hooks))
        self.log.extend(("enter", i, tag) for i in range(self.middleware))
        self.log.append(("handler", script.name, tag))
        self.counters.processed += 1
        failed = self._perform(script, event)
        if not failed:
            self.log.extend(("leave", i, tag) for i in reversed(range(self.middleware)))
        outcome = "error" if failed else script.name
        self.log.extend(("after", i, tag, outcome) for i in range(self.after_hooks))
        if failed:
            self.counters.errors += 1
            self.log.extend(("error", i, tag) for i in range(self.error_hooks))
        return failed

    def _perform(self, script: Script, event: ModelEvent) -> bool:
        """What the scripted handler does; True when it raises an Exception."""
        if script.kind is Kind.FAIL:
            return True
        if script.kind is Kind.INTERRUPT:
            raise Interrupted
        if event.depth >= MAX_DEPTH:
            return False
        if script.kind is Kind.SUBSCRIBE:
            try:
                self.subscribe(self.new_event(script.target, event.depth + 1), Ctx.EXPIRED)
            except Refused:
                return True
        elif script.kind is Kind.PUBLISH:
            try:
                self.publish()
            except Refused:
                return True
        elif script.kind is Kind.REPLACE:
            assert script.replacement is not None
            self.dispatcher[script.target] = script.replacement
        return False

    # -- async mode ---------------------------------------------------------------

    def finish_handed_off(self) -> list[ModelEvent]:
        """Workers run everything handed off (the machines compare in any order)."""
        batch, self.handed_off = self.handed_off, []
        for event in batch:
            self.counters.in_flight -= 1
            self.deliver(event)
        return batch

    # -- section 5a ---------------------------------------------------------------

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for timer in self.timers:
                if timer.state == "pending":
                    timer.state = "cancelled"
                    self.counters.timers_pending -= 1
                    self.counters.timers_cancelled += 1
        self._run_batch(self._claim())
        self.finish_handed_off()

    # -- section 6 ----------------------------------------------------------------

    def schedule(self, due: float, event: ModelEvent) -> ModelTimer:
        if self.closed:
            self.counters.rejected += 1
            raise Refused(Refusal.CLOSED)
        if due <= self.now:
            self.counters.immediate += 1
            self.deliver(event)
            return ModelTimer(due, event, "fired")
        timer = ModelTimer(due, event)
        self.timers.append(timer)
        self.counters.timers_pending += 1
        return timer

    def cancel(self, timer: ModelTimer) -> bool:
        if timer.state != "pending":
            return False
        timer.state = "cancelled"
        self.counters.timers_pending -= 1
        self.counters.timers_cancelled += 1
        return True

    def advance(self, seconds: float) -> list[list[ModelTimer]]:
        """Fire due timers in due order; return them grouped by equal due times."""
        target = self.now + seconds
        groups: list[list[ModelTimer]] = []
        while True:
            due = [t for t in self.timers if t.state == "pending" and t.due <= target]
            if not due:
                break
            first = min(due, key=lambda t: t.due)
            if groups and groups[-1][0].due == first.due:
                groups[-1].append(first)
            else:
                groups.append([first])
            self.now = max(self.now, first.due)
            first.state = "fired"
            self.counters.timers_pending -= 1
            try:
                self.subscribe(first.event, Ctx.EXPIRED)
            except Refused:
                self.log.extend(("error", i, first.event.tag) for i in range(self.error_hooks))
                continue
            self.publish()
        self.now = target
        return groups

    # -- section 7 ----------------------------------------------------------------

    def commit(self, events: list[ModelEvent], ctx: Ctx = Ctx.NONE) -> None:
        """Enqueue all of ``events`` or none, then dispatch up to the last of them."""
        if not events:
            return
        try:
            if self.closed:
                raise Refused(Refusal.CLOSED)
            if len(events) > self.size:
                raise Refused(Refusal.FULL)
            self._make_room(len(events), ctx)
        except Refused:
            self.counters.rejected += len(events)
            raise
        self.counters.published += len(events)
        batch = self._claim()
        owned_from = len(batch)
        self.dispatch(batch + events, owned_from)
