import type { Redis, Result } from 'ioredis';
import { redisReady } from '../redis.js';
import { WINDOW_MS } from './budget-memory.js';
import type { BudgetAuthority } from './budget.js';

/**
 * The sliding log of createMemoryBudget, kept in one Redis hash per key so that one script call
 * grants atomically for every node. The hash holds `sum` (calls granted in the window), `latest`
 * (the log's clock), `head` and `tail` (a queue of grants), and a field per grant, numbered from
 * `head` to `tail` - 1, holding "time:count". Returns { granted, retryAtMs }.
 *
 * Numbers are formatted with %d: Lua numbers are doubles, and tostring would write 1.7e+12.
 */
const TAKE_LUA = `
local log = KEYS[1]
local want = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local meta = redis.call('HMGET', log, 'sum', 'latest', 'head', 'tail')
local sum = tonumber(meta[1]) or 0
local latest = tonumber(meta[2]) or now
local head = tonumber(meta[3]) or 0
local tail = tonumber(meta[4]) or 0
if latest > now then now = latest end

local function entry(i)
  local text = redis.call('HGET', log, string.format('%d', i))
  local sep = string.find(text, ':', 1, true)
  return tonumber(string.sub(text, 1, sep - 1)), tonumber(string.sub(text, sep + 1))
end

while head < tail do
  local at, count = entry(head)
  if at > now - window then break end
  redis.call('HDEL', log, string.format('%d', head))
  sum = sum - count
  head = head + 1
end

local granted = math.max(0, math.min(want, limit - sum))
if granted > 0 then
  redis.call('HSET', log, string.format('%d', tail), string.format('%d:%d', now, granted))
  tail = tail + 1
  sum = sum + granted
end
redis.call('HSET', log, 'sum', string.format('%d', sum), 'latest', string.format('%d', now),
  'head', string.format('%d', head), 'tail', string.format('%d', tail))
redis.call('PEXPIRE', log, ttl)

local retry = now
if sum >= limit then
  local excess = sum - limit + 1
  local freed = 0
  local i = head
  while i < tail do
    local at, count = entry(i)
    freed = freed + count
    if freed >= excess then
      retry = at + window
      break
    end
    i = i + 1
  end
end
return { granted, retry }
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    parleyBudgetTake(key: string, want: number, limit: number, nowMs: number, windowMs: number, ttlMs: number): Result<[number, number], Context>;
  }
}

/**
 * A log's key outlives its last grant by this much: far longer than the window, so that grants
 * still in the window by the callers' clocks are not lost to Redis's own expiry when the two clocks
 * run a little apart; short enough that idle keys go.
 */
const LOG_TTL_MS = 10 * WINDOW_MS;

/**
 * The budget shared by every node of a deployment, in Redis under `prefix` ("parley:" gives keys
 * "parley:budget:<key>"). One script call per take (EVALSHA; ioredis resends the source after a
 * Redis restart), so a take is one round trip and atomic across nodes.
 *
 * Time is the callers' `nowMs`, not Redis's TIME: the leased limiter dates each lease with the same
 * clock to decide when it lapses, and the injected Clock stays the one source of time (tests move
 * it). So the nodes' clocks must agree (NTP): a node d ms off shifts its grants by d ms, about
 * d/1000 of the limit at a window's edge. The log's clock never runs backwards, so a lagging
 * node's grant is dated at the latest time seen and counts a little longer, never shorter.
 *
 * The caller owns `redis` (it may be shared with the bus); close() leaves it open.
 */
export function createRedisBudget(redis: Redis, prefix: string): BudgetAuthority {
  redis.defineCommand('parleyBudgetTake', { numberOfKeys: 1, lua: TAKE_LUA });
  return {
    async take(key, want, limit, nowMs) {
      const [granted, retryAtMs] = await redis.parleyBudgetTake(`${prefix}budget:${key}`, Math.floor(want), limit, Math.floor(nowMs), WINDOW_MS, LOG_TTL_MS);
      return { granted, retryAtMs };
    },
    healthy: () => Promise.resolve(redisReady(redis)),
    close: () => Promise.resolve(),
  };
}
