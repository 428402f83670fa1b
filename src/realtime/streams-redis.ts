import type { Redis } from 'ioredis';
import type { Clock } from '../deps.js';
import { redisReady } from '../redis.js';
import { script } from './redis-script.js';
import { newEpoch, type StreamRetention } from './streams-memory.js';
import type { Appended, Position, Replay, UserStreams } from './types.js';

// Each user's stream is a Redis Stream (entry ids `<offset>-1`, MAXLEN the retained count) and a
// hash with its epoch `e` and newest offset `s`, both under one hash tag so a Redis Cluster keeps
// them together. One script adds an event, numbers it and publishes it on one channel, so every
// node hears a stream's events in offset order. Keys expire when a stream is idle for longer than
// the retention; a lost hash is a new epoch.

/** Starts the stream when its hash is gone: a new epoch, offset 0, no stale entries. */
const OPEN = `
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 's', 0)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
`;

/** KEYS: hash, stream. ARGV: epoch if new, ttl, body, maxlen, now ms, channel, stream key. */
const APPEND = script(`${OPEN}
local offset = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], offset .. '-1', 't', ARGV[5], 'b', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[6], ARGV[7] .. '\\n' .. offset .. '\\n' .. epoch .. '\\n' .. ARGV[3])
return offset
`);

/** KEYS: hash, stream. ARGV: epoch if new, ttl. Returns {epoch, offset}. */
const POSITION = script(`${OPEN}
return {epoch, tonumber(redis.call('HGET', KEYS[1], 's'))}
`);

/**
 * KEYS: hash, stream. ARGV: epoch if new, ttl, epoch asked, offset asked, oldest time kept (ms).
 * Returns {'ok' | 'resync', epoch, offset, bodies…}.
 */
const SINCE = script(`${OPEN}
local top = tonumber(redis.call('HGET', KEYS[1], 's'))
local from = tonumber(ARGV[4])
if epoch ~= ARGV[3] or from > top then return {'resync', epoch, top} end
if from == top then return {'ok', epoch, top} end
local entries = redis.call('XRANGE', KEYS[2], string.format('%d-1', from + 1), '+')
local first = entries[1]
if (not first) or first[1] ~= string.format('%d-1', from + 1) or tonumber(first[2][2]) < tonumber(ARGV[5]) then
  return {'resync', epoch, top}
end
local out = {'ok', epoch, top}
for _, entry in ipairs(entries) do out[#out + 1] = entry[2][4] end
return out
`);

/**
 * User streams on Redis, shared by every node: a client may resume on any node. `commands` and
 * `subscriber` are the caller's connections (the subscriber may carry other channels too).
 */
export function createRedisStreams(commands: Redis, subscriber: Redis, prefix: string, clock: Clock, retention: StreamRetention, onError: (error: unknown) => void): UserStreams {
  const channel = `${prefix}es:live`;
  const ttl = Math.ceil(retention.retainMs / 1000) + 60;
  const keys = (key: string): [string, string] => [`${prefix}es:m:{${key}}`, `${prefix}es:s:{${key}}`];
  const listeners = new Set<{ heard: (event: Appended) => void; interrupted: (key?: string) => void }>();
  /** Streams whose events could not be added: their epochs change once Redis is back. */
  const lost = new Set<string>();
  let failing = false;

  const onMessage = (from: string, text: string): void => {
    if (from !== channel || listeners.size === 0) return;
    const a = text.indexOf('\n');
    const b = text.indexOf('\n', a + 1);
    const c = text.indexOf('\n', b + 1);
    if (a < 0 || b < 0 || c < 0) return onError(new Error(`a message on ${channel} is not a stream event`));
    const event: Appended = { key: text.slice(0, a), offset: Number(text.slice(a + 1, b)), epoch: text.slice(b + 1, c), body: text.slice(c + 1) };
    for (const l of listeners) l.heard(event);
  };
  // Streams that lost an event get a new epoch, so their clients resync instead of missing it.
  const dropLost = async (): Promise<void> => {
    if (!redisReady(commands)) return;
    const dropped = [...lost];
    lost.clear();
    await Promise.all(dropped.map((key) => commands.del(...keys(key)).catch(() => lost.add(key))));
  };
  // Subscribed on every (re)connection. Connections made before (at start, or during a cut) may
  // have missed events: say so, once the streams that lost events have their new epochs (so that
  // resuming cannot skip those events).
  const onReady = (): void => {
    subscriber
      .subscribe(channel)
      .then(dropLost)
      .then(() => {
        for (const l of listeners) l.interrupted();
      }, onError);
  };
  const onCommandsReady = (): void => void dropLost();
  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  commands.on('ready', onCommandsReady);
  if (redisReady(subscriber)) onReady();

  return {
    append(key, body) {
      APPEND.run(commands, keys(key), [newEpoch(), ttl, body, retention.retainCount, clock.nowMs(), channel, key]).then(
        () => (failing = false),
        (error: unknown) => {
          if (lost.size < 100_000) lost.add(key);
          for (const l of listeners) l.interrupted(key);
          if (failing) return;
          failing = true;
          onError(error);
        },
      );
    },
    async position(key): Promise<Position> {
      const [epoch, offset] = (await POSITION.run(commands, keys(key), [newEpoch(), ttl])) as [string, number];
      return { epoch, offset };
    },
    async since(key, epoch, offset): Promise<Replay> {
      const minAt = clock.nowMs() - retention.retainMs;
      const [kind, current, top, ...bodies] = (await SINCE.run(commands, keys(key), [newEpoch(), ttl, epoch, offset, minAt])) as [string, string, number, ...string[]];
      const position = { epoch: current, offset: top };
      return kind === 'ok' ? { kind, position, bodies } : { kind: 'resync', position };
    },
    listen(heard, interrupted) {
      const entry = { heard, interrupted };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    async close() {
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      commands.off('ready', onCommandsReady);
      listeners.clear();
      if (redisReady(subscriber)) await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
