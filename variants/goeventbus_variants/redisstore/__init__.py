"""The distributed variant: one logical EventStore shared by many processes through Redis.

Work in progress (issue 6): ``codec.py`` (events as data) and ``server.py`` (a
private redis-server for tests and benchmarks) are done; the store is not yet
registered as an implementation.
"""

__all__: list[str] = []
