"""The state machines, each run as a test (examples and steps set by the Hypothesis profile)."""

from __future__ import annotations

import pytest

from goeventbus_conformance.machines.buffer import BufferMachine

TestBuffer = pytest.mark.section("2", "3", "4", "5", "5a")(BufferMachine.TestCase)
from goeventbus_conformance.machines.handlers import HandlerMachine  # noqa: E402
from goeventbus_conformance.machines.lifecycle import LifecycleMachine  # noqa: E402
from goeventbus_conformance.machines.scheduling import SchedulingMachine  # noqa: E402
from goeventbus_conformance.machines.transactions import TransactionMachine  # noqa: E402

TestHandlers = pytest.mark.section("4", "5")(HandlerMachine.TestCase)
TestTransactions = pytest.mark.section("4", "7")(TransactionMachine.TestCase)
TestScheduling = pytest.mark.section("4", "6")(SchedulingMachine.TestCase)
TestLifecycle = pytest.mark.section("4", "5", "5a")(LifecycleMachine.TestCase)
