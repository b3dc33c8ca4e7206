"""The distributed variant: one logical EventStore shared by many processes through Redis.

``store.py`` (``RedisEventStore``), ``scripts.py`` (every compound step as one Lua
script), ``codec.py`` (events as JSON, never pickles) and ``server.py`` (a private
redis-server for tests, benchmarks and ``python -m ... -- COMMAND``). The store passes
the conformance suite; it is not registered as an implementation yet (issue 6 is in
progress: multi-process and fault tests, benchmarks).
"""

__all__: list[str] = []
