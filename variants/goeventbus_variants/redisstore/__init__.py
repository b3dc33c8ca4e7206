"""The distributed variant: one logical EventStore shared by many processes through Redis.

Work in progress (issue 6): ``codec.py`` (events as data), ``scripts.py`` (the
atomic server-side steps: subscribe with capacity, policies and deduplication,
claim with a lease, finish, renew, recover) and ``server.py`` (a private
redis-server for tests and benchmarks) are done and tested; the store itself is not
written yet, so nothing is registered as an implementation.
"""

__all__: list[str] = []
