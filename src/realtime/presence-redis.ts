import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../deps.js';
import { redisReady } from '../redis.js';
import { script } from './redis-script.js';
import { type Device, type Presence, splitKey } from './types.js';

// Keys under the prefix:
//   rt:nodes                 hash  node id -> last heartbeat (ms)
//   rt:conn:{app:user}       hash  connection id -> "node\tplatform\tconnectedAt"
//   rt:interest              zset  "app:user" -> until when its stream is kept (ms)
//   rt:kick:{app:user}       string  UNIX seconds of the last kick
// and one channel, rt:presence: "I\n<until>\n<key>…" (streams kept) and "K\n<key>" (a kick).
// Every node mirrors rt:interest in memory, so the publishing path asks nothing of Redis.

/** How often a node says it is alive and refreshes its users' interest. */
const BEAT_MS = 5000;
/** A node silent this long is gone: its connections no longer count. */
const NODE_DEAD_MS = 3 * BEAT_MS;
/** How often a node reads the whole interest set again, in case it missed an announcement. */
const RESYNC_MS = 30_000;

/** KEYS: interest. ARGV: until, channel, members…: raises each member's score (never lowers it), then announces. */
const RAISE = script(`
for i = 3, #ARGV do
  local current = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if (not current) or tonumber(current) < tonumber(ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) end
end
redis.call('PUBLISH', ARGV[2], 'I\\n' .. ARGV[1] .. '\\n' .. table.concat(ARGV, '\\n', 3))
`);

/** KEYS: kick. ARGV: seconds, channel, key: keeps the latest kick and announces it. */
const KICK = script(`
local current = redis.call('GET', KEYS[1])
if (not current) or tonumber(current) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[2], 'K\\n' .. ARGV[3])
`);

/**
 * Presence shared by every node through Redis. `retainMs` is how long a stream is kept after its
 * user's last device left. Kicks are kept without expiry (one small key per kicked user), since a
 * UserSig may be valid for years.
 */
export function createRedisPresence(commands: Redis, subscriber: Redis, prefix: string, clock: Clock, retainMs: number, onError: (error: unknown) => void): Presence {
  const node = randomBytes(8).toString('hex');
  const channel = `${prefix}rt:presence`;
  const interestKey = `${prefix}rt:interest`;
  const nodesKey = `${prefix}rt:nodes`;
  const connKey = (key: string) => `${prefix}rt:conn:{${key}}`;
  const kickKey = (key: string) => `${prefix}rt:kick:{${key}}`;
  /** This node's devices, per user: connection id -> its rt:conn value. */
  const mine = new Map<string, Map<string, string>>();
  /** The deployment's interest, mirrored: key -> until (ms), and how many keys per app. */
  let interest = new Map<string, number>();
  let perApp = new Map<number, number>();
  const kickListeners = new Set<(key: string) => void>();

  const note = (key: string, until: number): void => {
    const known = interest.get(key);
    if (known === undefined) {
      const app = splitKey(key).app;
      perApp.set(app, (perApp.get(app) ?? 0) + 1);
    }
    if (known === undefined || known < until) interest.set(key, until);
  };
  const raise = (keys: readonly string[], until: number): Promise<unknown> => (keys.length === 0 ? Promise.resolve() : RAISE.run(commands, [interestKey], [until, channel, ...keys]));
  const resync = async (): Promise<void> => {
    const now = clock.nowMs();
    const flat = await commands.zrangebyscore(interestKey, now, '+inf', 'WITHSCORES');
    const fresh = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) fresh.set(flat[i] ?? '', Number(flat[i + 1]));
    // An announcement heard while the read was under way is kept: it may be newer than the read.
    for (const [key, until] of interest) if (until > now && (fresh.get(key) ?? 0) < until) fresh.set(key, until);
    const apps = new Map<number, number>();
    for (const key of fresh.keys()) {
      const app = splitKey(key).app;
      apps.set(app, (apps.get(app) ?? 0) + 1);
    }
    interest = fresh;
    perApp = apps;
  };
  /** Says this node is alive and keeps its users' devices and interest; `rewrite` also writes the devices again (after Redis came back, perhaps empty). */
  const beat = async (rewrite = false): Promise<void> => {
    const now = clock.nowMs();
    const pipeline = commands.pipeline().hset(nodesKey, node, now).zremrangebyscore(interestKey, '-inf', now);
    for (const [key, devices] of mine) {
      if (rewrite) pipeline.hset(connKey(key), Object.fromEntries(devices));
      pipeline.pexpire(connKey(key), NODE_DEAD_MS * 2);
    }
    await pipeline.exec();
    await raise([...mine.keys()], now + retainMs + NODE_DEAD_MS);
  };

  const onMessage = (from: string, text: string): void => {
    if (from !== channel) return;
    const lines = text.split('\n');
    if (lines[0] === 'I') {
      const until = Number(lines[1]);
      for (const key of lines.slice(2)) note(key, until);
    } else if (lines[0] === 'K' && lines[1] !== undefined) {
      for (const listener of kickListeners) listener(lines[1]);
    }
  };
  // While Redis is away its connections report the outage once; the periodic work just waits.
  const whenUp = (work: () => Promise<void>) => (): void => {
    if (redisReady(commands)) work().catch(onError);
  };
  const onReady = (): void => {
    subscriber.subscribe(channel).then(whenUp(resync), onError);
  };
  const onCommandsReady = whenUp(() => beat(true).then(resync));
  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  commands.on('ready', onCommandsReady);
  if (redisReady(subscriber)) onReady();
  const timers = [setInterval(whenUp(() => beat()), BEAT_MS), setInterval(whenUp(resync), RESYNC_MS)];
  for (const t of timers) t.unref();
  onCommandsReady();

  return {
    wants(key) {
      return mine.has(key) || (interest.get(key) ?? 0) > clock.nowMs();
    },
    wantsApp: (app) => perApp.has(app),
    async join(key, connection, device) {
      let devices = mine.get(key);
      if (devices === undefined) mine.set(key, (devices = new Map()));
      const value = `${node}\t${device.platform}\t${device.connectedAt}`;
      devices.set(connection, value);
      const now = clock.nowMs();
      await commands.pipeline().hset(connKey(key), connection, value).pexpire(connKey(key), NODE_DEAD_MS * 2).hset(nodesKey, node, now).exec();
      note(key, now + retainMs + NODE_DEAD_MS);
      await raise([key], now + retainMs + NODE_DEAD_MS);
    },
    leave(key, connection) {
      const devices = mine.get(key);
      if (devices === undefined || !devices.delete(connection)) return;
      if (devices.size === 0) mine.delete(key);
      commands.hdel(connKey(key), connection).catch(onError);
      if (devices.size === 0) raise([key], clock.nowMs() + retainMs).catch(onError);
    },
    async devices(app, users) {
      const pipeline = commands.pipeline().hgetall(nodesKey);
      for (const user of users) pipeline.hgetall(connKey(`${app}:${user}`));
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0];
      const beats = (replies[0]?.[1] ?? {}) as Record<string, string>;
      const alive = (id: string) => Number(beats[id] ?? 0) > clock.nowMs() - NODE_DEAD_MS;
      const found = new Map<string, Device[]>();
      users.forEach((user, i) => {
        const conns = (replies[i + 1]?.[1] ?? {}) as Record<string, string>;
        for (const value of Object.values(conns)) {
          const [owner = '', platform = 'Web', at = '0'] = value.split('\t');
          if (!alive(owner)) continue;
          const list = found.get(user) ?? [];
          list.push({ platform, connectedAt: Number(at) });
          found.set(user, list);
        }
      });
      return found;
    },
    async kick(key, atSeconds) {
      await KICK.run(commands, [kickKey(key)], [atSeconds, channel, key]);
    },
    async kickedAt(key) {
      const at = await commands.get(kickKey(key));
      return at === null ? undefined : Number(at);
    },
    onKick(listener) {
      kickListeners.add(listener);
      return () => kickListeners.delete(listener);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      commands.off('ready', onCommandsReady);
      kickListeners.clear();
      if (redisReady(subscriber)) await subscriber.unsubscribe(channel).catch(() => undefined);
      if (redisReady(commands)) {
        const pipeline = commands.pipeline().hdel(nodesKey, node);
        for (const [key, devices] of mine) pipeline.hdel(connKey(key), ...devices.keys());
        await pipeline.exec().catch(() => undefined);
      }
      mine.clear();
    },
  };
}
