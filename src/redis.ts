import { Redis } from 'ioredis';

/** How a Redis connection behaves while Redis is away; the defaults suit a request path. */
export interface RedisConnectionOptions {
  /** Shown in CLIENT LIST, so an operator can tell parley's connections apart. */
  readonly name: string;
  /** Called once per outage (the first error after the connection was ready), never for each retry. */
  readonly onError: (error: Error) => void;
  /** A command with no reply after this long fails (default 1000 ms). */
  readonly commandTimeoutMs?: number;
  /** The longest pause between reconnection attempts (default 2000 ms). */
  readonly maxReconnectDelayMs?: number;
}

/**
 * Opens a connection to `url` that fails fast and heals itself: while Redis is away a command is
 * refused at once instead of queued (no offline queue, no retry of a command in flight), a command
 * on a silent connection fails after `commandTimeoutMs`, and the client reconnects forever with a
 * capped backoff. Errors go to `onError` rather than crashing the process as an unheard 'error'
 * event would. The caller owns the connection: close it with `closeRedis`.
 */
export function openRedis(url: string, options: RedisConnectionOptions): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const redis = new Redis(url, {
    connectionName: options.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, maxDelay),
  });
  let reported = false;
  redis.on('ready', () => {
    reported = false;
  });
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    options.onError(error);
  });
  return redis;
}

/** Resolves once the connection is ready, or after `ms` if it is not (the caller goes on either way). */
export function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

/** True while the connection can carry commands. */
export function redisReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/** Waits for replies still due (QUIT) while Redis answers; drops the connection at once when it does not. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}

/**
 * The namespace of parley's keys and channel in a Redis it may share with others: `prefix`
 * (default "parley") ending in ':', so that "parley:budget:<key>" and "parley:events" read as paths.
 * Deployments that share one Redis give each its own prefix.
 */
export function redisPrefix(prefix = 'parley'): string {
  return prefix === '' || prefix.endsWith(':') ? prefix : `${prefix}:`;
}
