"""The server side of the Redis store: every compound step is one Lua script, so it is atomic.

A check-then-push from the client (``LLEN`` then ``RPUSH``) would let two processes
both see room for one event; a script runs alone on the server, which is why the
capacity, the policies, the accounting counters, a transaction's all-or-nothing
enqueue and a timer's hand-over all live here (WATCH/MULTI/EXEC would retry under
contention instead, and every retry is another round trip).

Keys of one logical store, all under its prefix (``Keys``):

- ``ring``: a list of encoded events, oldest first (pending events)
- ``stats``: a hash of the accounting counters of SEMANTICS section 4, plus
  ``waiters`` (BLOCK subscribers waiting for room)
- ``clients``: a hash, per client (process and thread), of the last subscribe
  sequence number accepted, so that a retried subscribe is never enqueued twice
- ``claims``: a sorted set of claim ids by lease deadline (milliseconds)
- ``claim:<id>``: the events a publish claimed and has not finished
- ``room``: wake-up tokens for BLOCK waiters, pushed when a claim frees slots
- ``timers``: a sorted set of scheduled timer ids by due time (the scheduling
  process's clock), with ``timer_events`` (id to encoded event) and
  ``timer_owners`` (id to the store handle that fires it)
- ``firing``: timers that fired under BLOCK and wait for room (no longer
  ``timers_pending``, still recoverable)
- ``owners``: a sorted set of store handles that own timers, by lease deadline
  (milliseconds), and ``owned:<owner>``: the set of each one's timer ids

A BLOCK subscribe that finds the ring full counts itself a waiter in the same script
that refuses it, so a claim that runs before it starts waiting still leaves it a
token: no wake-up is lost between the refusal and the wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

#: overrun policies as the scripts know them; FIRE also takes REFUSE (drop the timer)
DROP_OLDEST, BLOCK, RETURN_ERROR, REFUSE = 0, 1, 2, -1
#: what SUBSCRIBE and FIRE answer (FIRE's DUPLICATE: the timer is no longer this owner's)
ACCEPTED, DUPLICATE, FULL = 1, 0, -1

PRELUDE = """
-- Leases are on the server's clock, so processes on machines whose clocks disagree
-- still agree on which lease has run out.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Lua's unpack() stops at a few thousand values, so long lists are pushed in chunks.
local function push(command, key, values, first)
  for i = first, #values, 1000 do
    redis.call(command, key, unpack(values, i, math.min(i + 999, #values)))
  end
end

-- Capacity and the three policies: append values[first..] to the ring, or refuse.
local function enqueue(ring, stats, size, policy, values, first)
  local count = #values - first + 1
  if count > size then return -1 end
  local pending = redis.call('LLEN', ring)
  local excess = pending + count - size
  if excess > 0 then
    if policy == 1 then redis.call('HINCRBY', stats, 'waiters', 1) end
    if policy ~= 0 then return -1 end
    redis.call('LTRIM', ring, excess, -1)
    redis.call('HINCRBY', stats, 'dropped', math.min(excess, pending))
  end
  push('RPUSH', ring, values, first)
  redis.call('HINCRBY', stats, 'published', count)
  return 1
end

-- Claims whose lease expired (their process died): their events go back in front.
local function recover(claims, ring, now_ms, claim_prefix)
  local expired = redis.call('ZRANGEBYSCORE', claims, '-inf', now_ms)
  local recovered = 0
  for _, id in ipairs(expired) do
    local key = claim_prefix .. id
    local events = redis.call('LRANGE', key, 0, -1)
    for i = #events, 1, -1 do redis.call('LPUSH', ring, events[i]) end
    recovered = recovered + #events
    redis.call('DEL', key)
    redis.call('ZREM', claims, id)
  end
  return recovered
end

-- Move every pending event to a claim under a lease; each freed slot wakes a waiter.
local function claim(ring, claims, stats, room, claim_key, deadline_ms, claim_id)
  local events = redis.call('LRANGE', ring, 0, -1)
  if #events == 0 then return events end
  redis.call('DEL', ring)
  push('RPUSH', claim_key, events, 1)
  redis.call('ZADD', claims, deadline_ms, claim_id)
  local waiters = tonumber(redis.call('HGET', stats, 'waiters') or '0')
  if waiters > 0 then
    redis.call('DEL', room)
    for _ = 1, math.min(waiters, #events) do redis.call('RPUSH', room, 1) end
  end
  return events
end

-- Forget a timer (fired or cancelled); true when it was still this owner's.
local function take_timer(timers, events, owners, id, owner, owned_key)
  if redis.call('HGET', owners, id) ~= owner then return false end
  redis.call('ZREM', timers, id)
  redis.call('HDEL', events, id)
  redis.call('HDEL', owners, id)
  redis.call('SREM', owned_key, id)
  return true
end
"""

SUBSCRIBE = (
    PRELUDE
    + """
-- KEYS: ring stats clients | ARGV: size policy client seq event...
local client, seq = ARGV[3], tonumber(ARGV[4])
if seq <= tonumber(redis.call('HGET', KEYS[3], client) or '-1') then return 0 end
local status = enqueue(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV, 5)
if status == 1 then redis.call('HSET', KEYS[3], client, seq) end
return status
"""
)

CLAIM = (
    PRELUDE
    + """
-- KEYS: ring claims stats room | ARGV: claim_key lease_ms claim_id claim_prefix
local now = now_ms()
recover(KEYS[2], KEYS[1], now, ARGV[4])
return claim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], now + tonumber(ARGV[2]), ARGV[3])
"""
)

COMMIT = (
    PRELUDE
    + """
-- KEYS: ring stats clients claims room | ARGV: size policy client seq claim_key
--   lease_ms claim_id event...
-- A transaction: enqueue all or none, then claim everything pending, its events last,
-- in the same step so that no other process can come in between.
local status = enqueue(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV, 8)
if status ~= 1 then return {status} end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
local deadline = now_ms() + tonumber(ARGV[6])
local events = claim(KEYS[1], KEYS[4], KEYS[2], KEYS[5], ARGV[5], deadline, ARGV[7])
table.insert(events, 1, 1)
return events
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

KEEP_ALIVE = (
    PRELUDE
    + """
-- KEYS: claims ring owners | ARGV: lease_ms claim_prefix owner claim_id...
-- A live store handle renews its claims and its timers' ownership, and puts back the
-- events of dead handles' claims.
local now = now_ms()
local deadline = now + tonumber(ARGV[1])
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i]) end
if redis.call('ZSCORE', KEYS[3], ARGV[3]) then redis.call('ZADD', KEYS[3], deadline, ARGV[3]) end
return recover(KEYS[1], KEYS[2], now, ARGV[2])
"""
)

SCHEDULE = (
    PRELUDE
    + """
-- KEYS: timers timer_events timer_owners owners stats
-- ARGV: id due owner owned_key lease_ms event
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[6])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('SADD', ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], now_ms() + tonumber(ARGV[5]), ARGV[3])
redis.call('HINCRBY', KEYS[5], 'timers_pending', 1)
return 1
"""
)

FIRE = (
    PRELUDE
    + """
-- KEYS: ring stats timers timer_events timer_owners firing
-- ARGV: size policy id owner owned_key
-- A due timer's event joins the ring and the timer is gone, in one step. Under BLOCK
-- with no room the timer has fired (it leaves timers_pending) but stays, in ``firing``,
-- so that it survives this process until its event finds room.
local id, owner = ARGV[3], ARGV[4]
if redis.call('HGET', KEYS[5], id) ~= owner then return 0 end
local event = redis.call('HGET', KEYS[4], id)
local policy = tonumber(ARGV[2])
local status = -1
if policy >= 0 then status = enqueue(KEYS[1], KEYS[2], tonumber(ARGV[1]), policy, {event}, 1) end
local was_firing = redis.call('SREM', KEYS[6], id) == 1
if not was_firing then redis.call('HINCRBY', KEYS[2], 'timers_pending', -1) end
if status == -1 and policy == 1 then
  redis.call('SADD', KEYS[6], id)
  return -1
end
take_timer(KEYS[3], KEYS[4], KEYS[5], id, owner, ARGV[5])
return status
"""
)

CANCEL = (
    PRELUDE
    + """
-- KEYS: timers timer_events timer_owners stats | ARGV: id owner owned_key
if not take_timer(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[4], 'timers_pending', -1)
redis.call('HINCRBY', KEYS[4], 'timers_cancelled', 1)
return 1
"""
)

ADOPT = (
    PRELUDE
    + """
-- KEYS: owners timers timer_events timer_owners
-- ARGV: me lease_ms owned_prefix
-- The timers of store handles whose lease expired become this handle's: returns
-- id, due, event for each, so that it arms them on its own clock.
local me, prefix = ARGV[1], ARGV[3]
local now = now_ms()
local adopted = {}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  if dead ~= me then
    local owned = prefix .. dead
    for _, id in ipairs(redis.call('SMEMBERS', owned)) do
      redis.call('HSET', KEYS[4], id, me)
      redis.call('SADD', prefix .. me, id)
      adopted[#adopted + 1] = id
      adopted[#adopted + 1] = redis.call('ZSCORE', KEYS[2], id)
      adopted[#adopted + 1] = redis.call('HGET', KEYS[3], id)
    end
    redis.call('DEL', owned)
    redis.call('ZREM', KEYS[1], dead)
  end
end
if #adopted > 0 then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), me) end
return adopted
"""
)


@dataclass(frozen=True)
class Keys:
    """The keys of one logical store: ``name`` is its prefix, so stores never meet.

    The braces make ``name`` a hash tag: on a Redis Cluster every key of one store
    lands in one slot, which scripts touching several keys require.
    """

    name: str

    def key(self, part: str) -> str:
        return f"goeventbus:{{{self.name}}}:{part}"

    def claim(self, claim_id: str) -> str:
        return self.key(f"claim:{claim_id}")

    def owned(self, owner: str) -> str:
        return self.key(f"owned:{owner}")

    def __getattr__(self, part: str) -> str:
        if part in _PARTS:
            return self.key(part)
        raise AttributeError(part)


_PARTS = frozenset(
    {"ring", "stats", "clients", "claims", "room", "timers", "timer_events", "timer_owners",
     "firing", "owners"}
)  # fmt: skip


@dataclass(frozen=True)
class Due:
    """A timer taken over from a dead store handle."""

    id: str
    due: float
    event: bytes


class Scripts:
    """Each step of one logical store as a method (redis-py sends EVALSHA, loading on a miss)."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.keys = keys
        script = client.register_script
        self._subscribe = script(SUBSCRIBE)
        self._claim = script(CLAIM)
        self._commit = script(COMMIT)
        self._finish = script(FINISH)
        self._keep_alive = script(KEEP_ALIVE)
        self._schedule = script(SCHEDULE)
        self._fire = script(FIRE)
        self._cancel = script(CANCEL)
        self._adopt = script(ADOPT)

    def subscribe(self, size: int, policy: int, client: str, seq: int, events: list[str]) -> int:
        """ACCEPTED, DUPLICATE (``seq`` already seen for ``client``) or FULL."""
        k = self.keys
        return int(
            self._subscribe(
                keys=[k.ring, k.stats, k.clients], args=[size, policy, client, seq, *events]
            )
        )

    def claim(self, claim_id: str, lease_ms: int) -> list[bytes]:
        """Put back expired claims' events, then claim everything pending."""
        k = self.keys
        return list(
            self._claim(
                keys=[k.ring, k.claims, k.stats, k.room],
                args=[k.claim(claim_id), lease_ms, claim_id, k.claim("")],
            )
        )

    def commit(
        self, size: int, policy: int, client: str, seq: int, claim_id: str, lease_ms: int,
        events: list[str],
    ) -> list[bytes] | None:  # fmt: skip
        """Enqueue all of ``events`` and claim everything pending, or None when they don't fit."""
        k = self.keys
        reply: list[Any] = self._commit(
            keys=[k.ring, k.stats, k.clients, k.claims, k.room],
            args=[size, policy, client, seq, k.claim(claim_id), lease_ms, claim_id, *events],
        )
        return None if int(reply[0]) == FULL else list(reply[1:])

    def finish(
        self, claim_id: str, processed: int, errors: int, unhandled: int, discarded: int
    ) -> bool:
        """Add a claim's counts; False when it was not held any more (recovered meanwhile)."""
        k = self.keys
        return bool(
            self._finish(
                keys=[k.claims, k.stats],
                args=[k.claim(claim_id), claim_id, processed, errors, unhandled, discarded],
            )
        )

    def keep_alive(self, owner: str, claim_ids: list[str], lease_ms: int) -> int:
        """Renew ``owner``'s leases; returns how many events of dead claims went back."""
        k = self.keys
        return int(
            self._keep_alive(
                keys=[k.claims, k.ring, k.owners],
                args=[lease_ms, k.claim(""), owner, *claim_ids],
            )
        )

    def schedule(self, timer_id: str, due: float, owner: str, lease_ms: int, event: str) -> None:
        k = self.keys
        self._schedule(
            keys=[k.timers, k.timer_events, k.timer_owners, k.owners, k.stats],
            args=[timer_id, repr(due), owner, k.owned(owner), lease_ms, event],
        )

    def fire(self, size: int, policy: int, timer_id: str, owner: str) -> int:
        """ACCEPTED; FULL (under RETURN_ERROR the timer is gone, under BLOCK it stays);
        DUPLICATE when the timer is no longer ``owner``'s (taken over, or already fired)."""
        k = self.keys
        return int(
            self._fire(
                keys=[k.ring, k.stats, k.timers, k.timer_events, k.timer_owners, k.firing],
                args=[size, policy, timer_id, owner, k.owned(owner)],
            )
        )

    def cancel(self, timer_id: str, owner: str) -> bool:
        k = self.keys
        return bool(
            self._cancel(
                keys=[k.timers, k.timer_events, k.timer_owners, k.stats],
                args=[timer_id, owner, k.owned(owner)],
            )
        )

    def adopt(self, owner: str, lease_ms: int) -> list[Due]:
        """Take over the timers of store handles whose lease expired."""
        k = self.keys
        reply = self._adopt(
            keys=[k.owners, k.timers, k.timer_events, k.timer_owners],
            args=[owner, lease_ms, k.owned("")],
        )
        return [
            Due(reply[i].decode(), float(reply[i + 1]), reply[i + 2])
            for i in range(0, len(reply), 3)
        ]
