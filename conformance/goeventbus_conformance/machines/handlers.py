"""Section 5: scripted handlers (raise, re-enter, replace, interrupt), middleware and hooks.

``ScriptedMachine`` starts a store whose projections already point at scripted
handlers and which already has some middleware and hooks, so that steps go to
dispatching rather than to setting up; it adds no rules of its own. ``HandlerMachine``
adds the rules that change handlers, middleware and hooks as it goes. Middleware and
hooks write to the same log as the handlers, so the order of the whole chain is
checked, event by event.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, MultipleResults, initialize, multiple, precondition, rule

from goeventbus import Context, Event
from goeventbus_conformance.machines.base import PROJECTIONS, projections
from goeventbus_conformance.machines.buffer import BufferMachine
from goeventbus_conformance.model import Kind, Policy, Script

#: At most this many middleware and hooks of each kind, to keep logs readable.
CHAIN_LIMIT = 3

simple_kinds = st.sampled_from(
    [Kind.OK, Kind.OK, Kind.FAIL, Kind.SUBSCRIBE, Kind.PUBLISH, Kind.INTERRUPT]
)
HANDLED = len(PROJECTIONS) - 1  # the last projection starts without a handler


class ScriptedMachine(BufferMachine):
    scripts = Bundle("scripts")

    @initialize(
        target=scripts,
        size=st.sampled_from([1, 2, 4, 8]),
        policy=st.sampled_from(list(Policy)),
        kinds=st.lists(simple_kinds, min_size=HANDLED, max_size=HANDLED),
        follow_ups=st.lists(projections, min_size=HANDLED, max_size=HANDLED),
        chains=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    )
    def start(  # type: ignore[override]
        self,
        size: int,
        policy: Policy,
        kinds: list[Kind],
        follow_ups: list[Hashable],
        chains: list[int],
    ) -> MultipleResults[Script]:
        self.open(size, policy)
        self.script_count = 0
        scripts = []
        for projection, kind, follow_up in zip(PROJECTIONS, kinds, follow_ups, strict=False):
            script = self.script(kind, follow_up)
            self.register(projection, script)
            scripts.append(script)
        adders = (self.middleware, self.before_hook, self.after_hook, self.error_hook)
        for add, count in zip(adders, chains, strict=True):
            for _ in range(count):
                add()
        return multiple(*scripts)

    def script(self, kind: Kind, follow_up: Hashable = None) -> Script:
        self.script_count += 1
        target = follow_up if kind is Kind.SUBSCRIBE else None
        return Script(f"s{self.script_count}", kind, target=target)

    def middleware(self) -> None:
        index, log = self.model.middleware, self.log

        def middleware(next_handler: Callable[..., Any]) -> Callable[..., Any]:
            def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
                log.append(("enter", index, args["tag"]))
                result = next_handler(ctx, args)
                log.append(("leave", index, args["tag"]))
                return result

            return wrapped

        assert self.store.use(middleware) is middleware, "use() must return its argument"
        self.model.middleware += 1

    def before_hook(self) -> None:
        index = self.model.before_hooks

        def hook(ctx: Context, event: Event) -> None:
            self.log.append(("before", index, event.args["tag"]))  # type: ignore[index]

        assert self.store.on_before(hook) is hook, "on_before() must return its argument"
        self.model.before_hooks += 1

    def after_hook(self) -> None:
        index = self.model.after_hooks

        def hook(ctx: Context, event: Event, result: Any, error: Exception | None) -> None:
            outcome = "error" if error is not None else result.message
            assert error is None or result is None, "an after-hook got a result with an error"
            self.log.append(("after", index, event.args["tag"], outcome))  # type: ignore[index]

        assert self.store.on_after(hook) is hook, "on_after() must return its argument"
        self.model.after_hooks += 1

    def error_hook(self) -> None:
        index = self.model.error_hooks

        def hook(ctx: Context, event: Event, error: Exception) -> None:
            assert isinstance(error, Exception)
            self.log.append(("error", index, event.args["tag"]))  # type: ignore[index]

        assert self.store.on_error(hook) is hook, "on_error() must return its argument"
        self.model.error_hooks += 1


class HandlerMachine(ScriptedMachine):
    @rule(target=ScriptedMachine.scripts, kind=simple_kinds, follow_up=projections)
    def make_script(self, kind: Kind, follow_up: Hashable) -> Script:
        return self.script(kind, follow_up)

    @rule(
        target=ScriptedMachine.scripts,
        projection=projections,
        replacement=ScriptedMachine.scripts,
    )
    def make_replacing_script(self, projection: Hashable, replacement: Script) -> Script:
        self.script_count += 1
        return Script(
            f"s{self.script_count}", Kind.REPLACE, target=projection, replacement=replacement
        )

    @rule(projection=projections, script=ScriptedMachine.scripts)
    def point(self, projection: Hashable, script: Script) -> None:
        self.register(projection, script)

    @rule(projection=projections)
    def unregister(self, projection: Hashable) -> None:
        self.dispatcher.pop(projection, None)
        self.model.dispatcher.pop(projection, None)

    @precondition(lambda self: self.model.middleware < CHAIN_LIMIT)
    @rule()
    def add_middleware(self) -> None:
        self.middleware()

    @precondition(lambda self: self.model.before_hooks < CHAIN_LIMIT)
    @rule()
    def add_before_hook(self) -> None:
        self.before_hook()

    @precondition(lambda self: self.model.after_hooks < CHAIN_LIMIT)
    @rule()
    def add_after_hook(self) -> None:
        self.after_hook()

    @precondition(lambda self: self.model.error_hooks < CHAIN_LIMIT)
    @rule()
    def add_error_hook(self) -> None:
        self.error_hook()
