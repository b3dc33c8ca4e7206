"""How one event meets its handler: before-hooks, the middleware chain, after- and error-hooks.

A ``Pipeline`` is immutable; registering a hook or middleware builds a new one that
the store swaps in, so dispatch reads it without a lock and a registration made
while a batch runs applies from the next event on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from types import CoroutineType
from typing import Any

from goeventbus.context import Context
from goeventbus.event import Event
from goeventbus.validation import check_callable

__all__ = [
    "AfterHook",
    "BeforeHook",
    "Dispatcher",
    "ErrorHook",
    "Handler",
    "Middleware",
    "Pipeline",
    "refuse_coroutine",
]

Handler = Callable[[Context, dict[str, Any]], Any]
Middleware = Callable[[Handler], Handler]
#: Go's ``Dispatcher`` type; a store accepts any mapping from projection to handler.
Dispatcher = dict[Hashable, Handler]
BeforeHook = Callable[[Context, Event], Any]
AfterHook = Callable[[Context, Event, Any, "Exception | None"], Any]
ErrorHook = Callable[[Context, Event, Exception], Any]

_log = logging.getLogger("goeventbus")


def refuse_coroutine(coroutine: CoroutineType[Any, Any, Any]) -> TypeError:
    coroutine.close()
    return TypeError(
        f"async handlers are not supported: {coroutine.__qualname__} returned a coroutine"
    )


def _checked(handler: Handler) -> Handler:
    """The innermost link: turns a returned coroutine into a raised ``TypeError``."""

    def call(ctx: Context, args: dict[str, Any]) -> Any:
        result = handler(ctx, args)
        if type(result) is CoroutineType:
            raise refuse_coroutine(result)
        return result

    return call


def _run_hook(hook: Callable[..., Any], *args: Any) -> None:
    try:
        hook(*args)
    except Exception:
        _log.exception("hook %r raised; skipped", hook)


@dataclass(frozen=True, slots=True)
class Pipeline:
    middleware: tuple[Middleware, ...] = ()
    before: tuple[BeforeHook, ...] = ()
    after: tuple[AfterHook, ...] = ()
    on_error: tuple[ErrorHook, ...] = ()
    #: Nothing registered: the store then calls handlers directly.
    bare: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        chains = (self.middleware, self.before, self.after, self.on_error)
        object.__setattr__(self, "bare", not any(chains))

    def adding(self, **extra: Callable[..., Any]) -> Pipeline:
        """A copy with one more entry appended to each named chain."""
        changes: dict[str, Any] = {name: (*getattr(self, name), fn) for name, fn in extra.items()}
        return replace(self, **changes)

    def run(
        self, handler: Handler, ctx: Context, args: dict[str, Any], event: Event
    ) -> Exception | None:
        """Dispatch one event; return the exception its handler (or middleware) raised.

        Exceptions never escape; a ``BaseException`` that is not an ``Exception`` does.
        """
        for before in self.before:
            _run_hook(before, ctx, event)
        result = None
        error: Exception | None = None
        try:
            chain = _checked(handler)
            for middleware in reversed(self.middleware):
                chain = middleware(chain)
            result = chain(ctx, args)
            if type(result) is CoroutineType:
                error, result = refuse_coroutine(result), None
        except Exception as exc:
            error = exc
        for after in self.after:
            _run_hook(after, ctx, event, result, error)
        if error is not None:
            self.report(ctx, event, error)
        return error

    def report(self, ctx: Context, event: Event, error: Exception) -> None:
        """Run the error hooks (also used for a timer whose subscribe failed)."""
        for on_error in self.on_error:
            _run_hook(on_error, ctx, event, error)


class Registrations:
    """``use`` and the hook registrations, for any store that keeps a ``Pipeline``.

    The store provides ``_extend``, which swaps in ``pipeline.adding(**entry)`` under
    its own lock; each registration returns what it registered, for decorator use.
    """

    def _extend(self, **entry: Callable[..., Any]) -> None:
        raise NotImplementedError

    def use(self, middleware: Middleware) -> Middleware:
        """Wrap every handler; the first middleware added is the outermost."""
        check_callable("middleware", middleware)
        self._extend(middleware=middleware)
        return middleware

    def on_before(self, hook: BeforeHook) -> BeforeHook:
        check_callable("hook", hook)
        self._extend(before=hook)
        return hook

    def on_after(self, hook: AfterHook) -> AfterHook:
        check_callable("hook", hook)
        self._extend(after=hook)
        return hook

    def on_error(self, hook: ErrorHook) -> ErrorHook:
        check_callable("hook", hook)
        self._extend(on_error=hook)
        return hook
