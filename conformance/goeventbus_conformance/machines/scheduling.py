"""Section 6: schedule and schedule_after through a ManualClock, advance, cancel, close.

Times are multiples of a quarter second on a large base, so every sum the clock and
the store compute is exact in binary floating point: a timer due at ``at`` fires
exactly when the clock reaches ``at``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, rule

from goeventbus import Context, Event, Timer
from goeventbus_conformance.machines.base import (
    PROJECTIONS,
    context_for,
    policies,
    projections,
    sizes,
)
from goeventbus_conformance.machines.buffer import BufferMachine
from goeventbus_conformance.model import Ctx, Kind, ModelTimer, Policy, Script

TICK = 0.25
START = 1_750_000_000.0


@dataclass
class TimerPair:
    timer: Any
    model: ModelTimer


class SchedulingMachine(BufferMachine):
    timers = Bundle("timers")

    @initialize(size=sizes, policy=policies)
    def start(self, size: int, policy: Policy) -> None:
        self.open(size, policy, start=START)
        self.register(PROJECTIONS[0], Script("ok", Kind.OK))
        self.register(PROJECTIONS[1], Script("fail", Kind.FAIL))
        self.known: list[TimerPair] = []

        def on_error(ctx: Context, event: Event, error: Exception) -> None:
            self.log.append(("error", 0, event.args["tag"]))  # type: ignore[index]

        self.store.on_error(on_error)
        self.model.error_hooks = 1

    def scheduled(self, call: Any, due: float, projection: Hashable) -> TimerPair:
        model_event, event = self.new_event(projection)
        ctx = context_for(Ctx.EXPIRED)  # a fired timer under a full BLOCK store must not wait
        holder: list[Any] = []
        models: list[ModelTimer] = []
        self.both(
            lambda: holder.append(call(event, ctx)),
            lambda: models.append(self.model.schedule(due, model_event)),
        )
        if not holder:  # refused, as the model expected
            return TimerPair(None, ModelTimer(due, model_event, "refused"))
        timer = holder[0]
        assert isinstance(timer, Timer), f"schedule returned {timer!r}, not a Timer"
        pair = TimerPair(timer, models[0])
        self.known.append(pair)
        self.check_timers()
        return pair

    @rule(
        target=timers, ticks=st.integers(-4, 12), as_datetime=st.booleans(), projection=projections
    )
    def schedule(self, ticks: int, as_datetime: bool, projection: Hashable) -> TimerPair:
        due = self.clock.now() + ticks * TICK
        at: Any = datetime.fromtimestamp(due, tz=UTC) if as_datetime else due
        return self.scheduled(lambda e, c: self.store.schedule(at, e, c), due, projection)

    @rule(
        target=timers, ticks=st.integers(-2, 12), as_timedelta=st.booleans(), projection=projections
    )
    def schedule_after(self, ticks: int, as_timedelta: bool, projection: Hashable) -> TimerPair:
        delay: Any = timedelta(seconds=ticks * TICK) if as_timedelta else ticks * TICK
        due = self.clock.now() + ticks * TICK
        return self.scheduled(lambda e, c: self.store.schedule_after(delay, e, c), due, projection)

    @rule(ticks=st.integers(0, 16))
    def advance(self, ticks: int) -> None:
        start = len(self.log)
        groups: list[list[ModelTimer]] = []
        model_start = len(self.model.log)
        self.unordered_log = False

        def on_model() -> None:
            groups.extend(self.model.advance(ticks * TICK))
            if any(len(group) > 1 for group in groups):
                self.unordered_log = True  # timers due at one instant fire in any order

        try:
            self.both(lambda: self.clock.advance(ticks * TICK), on_model)
        finally:
            self.unordered_log = False
        assert Counter(self.log[start:]) == Counter(self.model.log[model_start:])
        assert self.clock.now() == self.model.now

    @rule(pair=timers)
    def cancel(self, pair: TimerPair) -> None:
        if pair.timer is None:
            return
        expected = self.model.cancel(pair.model)
        assert pair.timer.cancel() is expected, f"cancel() should have returned {expected}"
        self.compare()

    def check_timers(self) -> None:
        for pair in self.known:
            state = pair.model.state
            assert pair.timer.fired is (state == "fired"), (
                f"timer fired={pair.timer.fired}, model {state}"
            )
            assert pair.timer.cancelled is (state == "cancelled"), (
                f"timer cancelled={pair.timer.cancelled}, model {state}"
            )

    def compare(self) -> None:
        super().compare()
        self.check_timers()
