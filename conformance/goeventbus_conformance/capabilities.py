"""The optional parts of the contract (SEMANTICS section 8), in one place.

An implementation lists what it does not provide in ``EventStore.unsupported``; tests
that need one of these carry ``@pytest.mark.capability(NAME)`` and are reported as
*not applicable* for such an implementation, never as passed.
"""

from __future__ import annotations

CAPABILITIES: dict[str, str] = {
    "object-identity": (
        "handlers get the caller's own args dict and hooks the caller's own Event "
        "(a store that serializes events gives equal copies instead)"
    ),
    "object-projections": (
        "any hashable projection (without it: str, int, and frozen dataclasses of such fields)"
    ),
    "context-propagation": (
        "the subscribe/commit ctx and args['__ctx'] reach the handler "
        "(without it: a background context)"
    ),
    "contextvars": "async handlers and timers run in the caller's contextvars context",
}


def unknown(names: frozenset[str]) -> frozenset[str]:
    """The names in ``names`` that are not capabilities of the contract."""
    return names - CAPABILITIES.keys()
