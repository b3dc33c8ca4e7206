"""Hypothesis profiles for the suite, chosen with Hypothesis's own ``--hypothesis-profile``.

``ci`` is the default. The figures are examples per state machine and steps per
example; wall-clock deadlines are off because this suite runs on shared, noisy
machines and timing is never a conformance question.

Setting ``GOEVENTBUS_CONFORMANCE_SHRINK=0`` keeps every profile's examples but skips
the shrink phase: a failure is then reported as first found, unshortened. The mutant
table uses it, because whether the suite rejects an implementation is decided when the
first failing example is found; shrinking only makes the report readable.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

PROFILES: dict[str, dict[str, Any]] = {
    "quick": {"max_examples": 25, "stateful_step_count": 30},
    "ci": {"max_examples": 400, "stateful_step_count": 30},
    "thorough": {"max_examples": 4000, "stateful_step_count": 40},
}
DEFAULT = "ci"
SHRINK_VARIABLE = "GOEVENTBUS_CONFORMANCE_SHRINK"


def register() -> None:
    phases = tuple(Phase)
    if os.environ.get(SHRINK_VARIABLE) == "0":
        phases = (Phase.explicit, Phase.reuse, Phase.generate)
    for name, figures in PROFILES.items():
        settings.register_profile(
            name,
            deadline=None,
            database=None,
            print_blob=True,
            phases=phases,
            report_multiple_bugs=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            **figures,
        )


def current() -> str:
    return settings.get_current_profile_name()
