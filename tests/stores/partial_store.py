"""Implementations the plugin tests point ``--impl`` at (importable through PYTHONPATH)."""

from goeventbus import EventStore


class NoIdentityStore(EventStore):
    """A correct store that declares one capability unsupported."""

    unsupported = frozenset({"object-identity"})


class StrangeStore(EventStore):
    unsupported = frozenset({"teleportation"})


class NoDrain(EventStore):
    drain = None


NOT_A_CLASS = 42
