"""The ``Context`` of SEMANTICS section 1: deadlines, cancellation, values, waiting."""

from __future__ import annotations

import threading
import time

import pytest

from goeventbus import Context, ContextCancelledError, DeadlineExceededError
from tests.conftest import WAIT, join, spawn


def test_background_is_a_singleton_that_never_ends() -> None:
    root = Context.background()
    assert root is Context.background()
    assert root.err() is None
    assert not root.done()
    assert root.deadline is None
    assert root.value("missing") is None
    assert root.wait(0) is False


def test_cancel_reaches_children_not_parents() -> None:
    parent, cancel_parent = Context.background().with_cancel()
    child = parent.with_value("k", 1)
    grandchild, cancel_grandchild = child.with_cancel()
    cancel_grandchild()
    assert grandchild.done()
    assert not parent.done()
    sibling = parent.with_timeout(WAIT)
    cancel_parent()
    cancel_parent()  # idempotent
    for ctx in (parent, child, sibling):
        assert isinstance(ctx.err(), ContextCancelledError)
    late_child = parent.with_value("k", 2)
    assert isinstance(late_child.err(), ContextCancelledError)


def test_err_is_a_fresh_exception_every_time() -> None:
    ctx, cancel = Context.background().with_cancel()
    cancel()
    first, second = ctx.err(), ctx.err()
    assert first is not second
    assert str(first) == "context canceled"


def test_deadline_is_the_earliest_in_the_chain() -> None:
    now = time.monotonic()
    outer = Context.background().with_deadline(now + 5)
    assert outer.with_deadline(now + 50).deadline == now + 5
    assert outer.with_deadline(now + 1).deadline == now + 1
    assert outer.with_value("k", "v").deadline == now + 5


def test_expired_deadline_reports_deadline_exceeded() -> None:
    ctx = Context.background().with_timeout(0)
    error = ctx.err()
    assert isinstance(error, DeadlineExceededError)
    assert isinstance(error, TimeoutError)
    assert ctx.done()
    assert ctx.wait(WAIT)


def test_cancel_after_the_deadline_keeps_the_first_reason() -> None:
    parent, cancel = Context.background().with_cancel()
    child = parent.with_timeout(-1)
    cancel()
    assert isinstance(child.err(), DeadlineExceededError)
    assert isinstance(parent.err(), ContextCancelledError)


def test_values_shadow_and_inherit() -> None:
    ctx = Context.background().with_value("user", "ada").with_value("trace", 7)
    assert ctx.value("user") == "ada"
    assert ctx.value("trace") == 7
    assert ctx.with_value("user", "bob").value("user") == "bob"
    assert ctx.value("other") is None


def test_wait_returns_on_cancel_from_another_thread() -> None:
    ctx, cancel = Context.background().with_cancel()
    woke = threading.Event()

    def waiter() -> None:
        if ctx.wait(WAIT):
            woke.set()

    thread = spawn(waiter)
    cancel()
    join(thread)
    assert woke.is_set()


def test_wait_times_out_while_alive() -> None:
    ctx, _ = Context.background().with_cancel()
    assert ctx.wait(0.01) is False


@pytest.mark.parametrize("bad", ["1", None, True, float("nan")])
def test_bad_timeouts_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match=r"timeout|deadline"):
        Context.background().with_timeout(bad)  # type: ignore[arg-type]


def test_repr_names_state() -> None:
    ctx, cancel = Context.background().with_value("k", 1).with_cancel()
    cancel()
    assert "canceled" in repr(ctx)
    assert repr(Context.background()) == "Context.background()"
