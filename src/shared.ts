import type { FastifyBaseLogger } from 'fastify';
import { createMemoryBus } from './bus/memory.js';
import { createRedisBus } from './bus/redis.js';
import type { EventBus } from './bus/types.js';
import { isClusterWorker } from './cluster.js';
import type { Config } from './config.js';
import { type Clock, type HealthCheck, systemClock } from './deps.js';
import { createIpcBudget } from './gateway/budget-ipc.js';
import { createRedisBudget } from './gateway/budget-redis.js';
import { createMemoryRateLimiter, type RateLimiter } from './gateway/rate-limit.js';
import { createLeasedRateLimiter } from './gateway/rate-limit-leased.js';
import { closeRealtime, openMemoryRealtime, openRedisRealtime } from './realtime/open.js';
import type { Realtime } from './realtime/types.js';
import { closeRedis, openRedis, redisPrefix, whenReady } from './redis.js';

/** What the processes serving one deployment share: the frequency budget and the event bus. */
export interface Shared {
  readonly limiter: RateLimiter;
  readonly bus: EventBus;
  /** The user event streams and who is connected where. */
  readonly realtime: Realtime;
  /** Health checks of the services behind them (none in process). */
  readonly checks: readonly HealthCheck[];
  /** Resolves once the services behind them answer, or after `ms` (a node starts either way; /healthz tells). */
  ready(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * With PARLEY_REDIS_URL, every node counts against one budget in Redis (leased in batches, so a
 * call rarely waits for Redis) and hears every node's events through Redis pub/sub. Without it, a
 * worker of PARLEY_WORKERS leases from the cluster primary and a single process keeps both in
 * memory.
 */
export function openShared(config: Config, logger: FastifyBaseLogger, clock: Clock = systemClock): Shared {
  const onBusError = (error: unknown) => logger.error({ err: error }, 'event bus failed');
  if (config.redisUrl === undefined) {
    const limiter = isClusterWorker() ? createLeasedRateLimiter(createIpcBudget()) : createMemoryRateLimiter();
    const bus = createMemoryBus(onBusError);
    const realtime = openMemoryRealtime(clock, config.events);
    return { limiter, bus, realtime, checks: [], ready: () => Promise.resolve(), close: () => Promise.all([limiter.close(), bus.close(), closeRealtime(realtime)]).then(() => undefined) };
  }
  const onRedisError = (what: string) => (error: Error) => logger.error({ err: error }, `Redis (${what}) is unreachable; calls fail until it returns`);
  // Commands and pub/sub need connections of their own: a subscribed connection carries nothing else.
  const commands = openRedis(config.redisUrl, { name: 'parley', onError: onRedisError('commands') });
  const subscriber = openRedis(config.redisUrl, { name: 'parley-events', onError: onRedisError('events') });
  const prefix = redisPrefix(config.redisPrefix);
  const budget = createRedisBudget(commands, prefix);
  const limiter = createLeasedRateLimiter(budget);
  const bus = createRedisBus(commands, subscriber, prefix, onBusError);
  const realtime = openRedisRealtime(commands, subscriber, prefix, clock, config.events, (error) => logger.error({ err: error }, 'event stream: Redis failed'));
  return {
    limiter,
    bus,
    realtime,
    checks: [{ name: 'redis', healthy: async () => bus.healthy() && (await budget.healthy()) }],
    ready: (ms) => Promise.all([whenReady(commands, ms), whenReady(subscriber, ms)]).then(() => undefined),
    async close() {
      await Promise.all([limiter.close(), bus.close(), closeRealtime(realtime)]);
      await Promise.all([closeRedis(commands), closeRedis(subscriber)]);
    },
  };
}
