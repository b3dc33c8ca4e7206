"""The server side of the Redis store: every compound step is one Lua script, so it is atomic.

A check-then-push from the client (``LLEN`` then ``RPUSH``) would let two processes
both see room for one event; a script runs alone on the server, which is why the
capacity, the policies, the accounting counters and a transaction's all-or-nothing
enqueue all live here (WATCH/MULTI/EXEC would retry under contention instead).

Keys of one logical store, all under its prefix (``Keys``):

- ``ring``: a list of encoded events, oldest first (pending events)
- ``stats``: a hash of the accounting counters of SEMANTICS section 4
- ``clients``: a hash, per client (process and thread), of the last subscribe
  sequence number accepted, so that a retried subscribe is never enqueued twice
- ``claims``: a sorted set of claim ids by lease deadline (milliseconds)
- ``claim:<id>``: the events a publish claimed and has not finished
- ``room``: wake-up tokens for BLOCK waiters, pushed when a claim frees slots

A BLOCK subscribe that finds the ring full counts itself a waiter in the same script
that refuses it, so a claim that runs before it starts waiting still leaves it a
token: no wake-up is lost between the refusal and the wait.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

#: overrun policies as the scripts know them
DROP_OLDEST, BLOCK, RETURN_ERROR = 0, 1, 2
#: what SUBSCRIBE answers
ACCEPTED, DUPLICATE, FULL = 1, 0, -1

#: Lua's unpack() stops at a few thousand values, so long lists are pushed in chunks.
PRELUDE = """
local function push(command, key, values, first)
  for i = first, #values, 1000 do
    redis.call(command, key, unpack(values, i, math.min(i + 999, #values)))
  end
end
"""

SUBSCRIBE = (
    PRELUDE
    + """
-- KEYS: ring stats clients | ARGV: size policy client seq event...
local size, policy = tonumber(ARGV[1]), tonumber(ARGV[2])
local client, seq = ARGV[3], tonumber(ARGV[4])
local last = tonumber(redis.call('HGET', KEYS[3], client) or '-1')
if seq <= last then return {0, 0} end
local count = #ARGV - 4
if count > size then return {-1, 0} end
local pending = redis.call('LLEN', KEYS[1])
local excess = pending + count - size
local dropped = 0
if excess > 0 then
  if policy == 1 then redis.call('HINCRBY', KEYS[2], 'waiters', 1) end
  if policy ~= 0 then return {-1, 0} end
  redis.call('LTRIM', KEYS[1], excess, -1)
  dropped = math.min(excess, pending)
  redis.call('HINCRBY', KEYS[2], 'dropped', dropped)
end
push('RPUSH', KEYS[1], ARGV, 5)
redis.call('HINCRBY', KEYS[2], 'published', count)
redis.call('HSET', KEYS[3], client, seq)
return {1, dropped}
"""
)

CLAIM = (
    PRELUDE
    + """
-- KEYS: ring claims stats room | ARGV: claim_key lease_deadline_ms claim_id waiters
local events = redis.call('LRANGE', KEYS[1], 0, -1)
if #events == 0 then return events end
redis.call('DEL', KEYS[1])
push('RPUSH', ARGV[1], events, 1)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
local waiters = tonumber(redis.call('HGET', KEYS[3], 'waiters') or '0')
if waiters > 0 then
  redis.call('DEL', KEYS[4])
  for _ = 1, math.min(waiters, #events) do redis.call('RPUSH', KEYS[4], 1) end
end
return events
"""
)

COMMIT = (
    PRELUDE
    + """
-- KEYS: ring stats clients claims room | ARGV: size policy client seq claim_key
--   lease_deadline_ms claim_id event...
-- A transaction: enqueue all or none (as SUBSCRIBE), then claim everything pending,
-- its events last, in the same step so no other process can come in between.
local size, policy = tonumber(ARGV[1]), tonumber(ARGV[2])
local count = #ARGV - 7
local pending = redis.call('LLEN', KEYS[1])
local excess = pending + count - size
if count > size then return {-1} end
if excess > 0 and policy ~= 0 then
  if policy == 1 then redis.call('HINCRBY', KEYS[2], 'waiters', 1) end
  return {-1}
end
if excess > 0 then
  redis.call('LTRIM', KEYS[1], excess, -1)
  redis.call('HINCRBY', KEYS[2], 'dropped', math.min(excess, pending))
end
push('RPUSH', KEYS[1], ARGV, 8)
redis.call('HINCRBY', KEYS[2], 'published', count)
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
local events = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
push('RPUSH', ARGV[5], events, 1)
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[7])
local result = {1}
for _, event in ipairs(events) do result[#result + 1] = event end
return result
"""
)

FINISH = """
-- KEYS: claims stats | ARGV: claim_key claim_id processed errors unhandled discarded
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('DEL', ARGV[1])
redis.call('HINCRBY', KEYS[2], 'processed', ARGV[3])
redis.call('HINCRBY', KEYS[2], 'errors', ARGV[4])
redis.call('HINCRBY', KEYS[2], 'unhandled', ARGV[5])
redis.call('HINCRBY', KEYS[2], 'discarded', ARGV[6])
return 1
"""

RENEW = """
-- KEYS: claims | ARGV: lease_deadline_ms claim_id
if redis.call('ZSCORE', KEYS[1], ARGV[2]) == false then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[2])
return 1
"""

RECOVER = """
-- KEYS: claims ring | ARGV: now_ms claim_prefix
-- Claims whose lease expired (their process died): their events go back in front.
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local recovered = 0
for _, id in ipairs(expired) do
  local key = ARGV[2] .. id
  local events = redis.call('LRANGE', key, 0, -1)
  for i = #events, 1, -1 do redis.call('LPUSH', KEYS[2], events[i]) end
  recovered = recovered + #events
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], id)
end
return recovered
"""


@dataclass(frozen=True)
class Keys:
    """The keys of one logical store: ``name`` is its prefix, so stores never meet."""

    name: str

    def key(self, part: str) -> str:
        return f"goeventbus:{{{self.name}}}:{part}"

    @property
    def ring(self) -> str:
        return self.key("ring")

    @property
    def stats(self) -> str:
        return self.key("stats")

    @property
    def clients(self) -> str:
        return self.key("clients")

    @property
    def claims(self) -> str:
        return self.key("claims")

    @property
    def room(self) -> str:
        return self.key("room")

    def claim(self, claim_id: str) -> str:
        return self.key(f"claim:{claim_id}")


class Scripts:
    """The scripts, registered once per client (redis-py sends EVALSHA, loading on a miss)."""

    def __init__(self, client: redis.Redis) -> None:
        self.subscribe = client.register_script(SUBSCRIBE)
        self.claim = client.register_script(CLAIM)
        self.commit = client.register_script(COMMIT)
        self.finish = client.register_script(FINISH)
        self.renew = client.register_script(RENEW)
        self.recover = client.register_script(RECOVER)
