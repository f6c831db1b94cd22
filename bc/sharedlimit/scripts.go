package sharedlimit

import "github.com/redis/go-redis/v9"

// Every script reads Redis's clock, so the processes need not agree on theirs.
const nowMS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// slotFunctions serve acquireScript and releaseScript, which take KEYS
// holders, queue, waiters, ticket and ARGV capacity, id, lease ms, waiter ttl
// ms, and the prefix of the waiters' wake-up lists.
//
// purge drops lapsed leases and dead waiters. hand_off grants the free slots
// to the first waiters in the queue and pushes a token on each one's wake-up
// list: a waiter that pops its token holds its slot, with no further call.
const slotFunctions = nowMS + `
local idle = 86400000
local function wake_key(id)
  return ARGV[5] .. id
end
local function purge()
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, w in ipairs(dead) do
    redis.call('ZREM', KEYS[2], w)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
end
local function hand_off()
  local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
  if free <= 0 then
    return
  end
  for _, w in ipairs(redis.call('ZRANGE', KEYS[2], 0, free - 1)) do
    redis.call('ZREM', KEYS[2], w)
    redis.call('ZREM', KEYS[3], w)
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), w)
    redis.call('RPUSH', wake_key(w), '1')
    redis.call('PEXPIRE', wake_key(w), 60000)
  end
end
`

// acquireScript queues id if it is new and hands the free slots out in queue
// order. It returns 1 when id holds a slot, else 0 (and keeps id's place
// alive for the waiter ttl).
var acquireScript = redis.NewScript(slotFunctions + `
purge()
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) and not redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[2])
end
for i = 1, 4 do
  redis.call('PEXPIRE', KEYS[i], idle)
end
hand_off()
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('DEL', wake_key(ARGV[2]))
  return 1
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[2])
return 0
`)

// releaseScript gives back id's slot, or its place in the queue, and hands
// the free slots on.
var releaseScript = redis.NewScript(slotFunctions + `
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('DEL', wake_key(ARGV[2]))
purge()
hand_off()
return 0
`)

// renewScript: KEYS holders; ARGV lease ms, ids. Extends the leases still
// held and returns how many had already lapsed.
var renewScript = redis.NewScript(nowMS + `
local lost = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
  else
    lost = lost + 1
  end
end
return lost
`)

// The quota hash: left (requests the window still allows), reset_at (ms),
// quota and window (as last reported), blocked_until (ms, after a 429).
// KEYS[1] is the hash; the rest are the lease sets, whose live leases are the
// requests in flight.
const inFlight = `
local function in_flight()
  local n = 0
  for i = 2, #KEYS do
    n = n + redis.call('ZCOUNT', KEYS[i], now, '+inf')
  end
  return n
end
`

// reserveScript returns 0 when a request may go now (and counts it), else the
// ms to wait. Before any response has reported the quota it lets requests go:
// the concurrency caps alone bound them.
var reserveScript = redis.NewScript(nowMS + inFlight + `
local q = redis.call('HMGET', KEYS[1], 'left', 'reset_at', 'quota', 'window', 'blocked_until')
local left, reset_at = tonumber(q[1]), tonumber(q[2])
local quota, window, blocked = tonumber(q[3]) or 0, tonumber(q[4]) or 0, tonumber(q[5]) or 0
if now < blocked then
  return blocked - now
end
if not left or not reset_at then
  return 0
end
if now >= reset_at then
  if quota <= 0 or window <= 0 then
    redis.call('HDEL', KEYS[1], 'left', 'reset_at')
    return 0
  end
  left = quota - in_flight()
  reset_at = now + window
  redis.call('HSET', KEYS[1], 'reset_at', reset_at)
end
if left <= 0 then
  redis.call('HSET', KEYS[1], 'left', left)
  return reset_at - now
end
redis.call('HSET', KEYS[1], 'left', left - 1)
return 0
`)

// finishScript: ARGV requests left, reset ms, quota, window ms, as a response
// reported them. Requests still in flight (less the one finishing, which
// still holds its slot) may not be counted in it: assume they are not. The
// processes' answers can be recorded out of order, so within one window the
// lower estimate stands; an answer from an earlier window is ignored.
var finishScript = redis.NewScript(nowMS + inFlight + `
local reset_at = now + tonumber(ARGV[2]) + 1
local left = tonumber(ARGV[1]) - math.max(in_flight() - 1, 0)
local q = redis.call('HMGET', KEYS[1], 'left', 'reset_at', 'window')
local known_left, known_reset, known_window = tonumber(q[1]), tonumber(q[2]), tonumber(q[3]) or 0
if known_reset and known_window > 0 then
  if reset_at < known_reset - known_window / 2 then
    return 0
  end
  if known_left and reset_at <= known_reset + known_window / 2 then
    left = math.min(left, known_left)
  end
end
local window = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'left', left, 'reset_at', reset_at, 'quota', tonumber(ARGV[3]), 'window', window)
redis.call('PEXPIRE', KEYS[1], math.max(2 * window, 60000))
return 1
`)

// blockScript: ARGV ms. Holds every process back that long, after a 429.
var blockScript = redis.NewScript(nowMS + `
local until_ms = now + tonumber(ARGV[1])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until')) or 0
if until_ms > blocked then
  redis.call('HSET', KEYS[1], 'blocked_until', until_ms)
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[1]) * 2, 60000))
return 0
`)
