"""goeventbus_variants: alternative EventStore implementations of SEMANTICS.md.

Each is registered by name in the ``goeventbus.implementations`` entry-point group
(``fast``, ``deque``, ``native``), passes the conformance suite and appears in the
benchmark matrix. They reuse the reference for everything off the hot paths.
"""

__all__: list[str] = []
