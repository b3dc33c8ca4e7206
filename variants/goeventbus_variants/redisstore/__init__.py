"""The distributed variant: one logical EventStore shared by many processes through Redis.

``store.py`` (``RedisEventStore``, registered as ``redis``), ``scripts.py`` (every
compound step as one Lua script), ``codec.py`` (events as JSON, never pickles) and
``server.py`` (a private redis-server for tests, benchmarks and
``python -m goeventbus_variants.redisstore.server -- COMMAND``). See ``variants/redis.md``.
"""

__all__: list[str] = []
