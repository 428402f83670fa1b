import type { Redis } from 'ioredis';
import type { EventStreamSettings } from '../config.js';
import type { Clock } from '../deps.js';
import { createMemoryPresence } from './presence-memory.js';
import { createRedisPresence } from './presence-redis.js';
import { createMemoryStreams } from './streams-memory.js';
import { createRedisStreams } from './streams-redis.js';
import type { Realtime } from './types.js';

/** Streams and presence of one process. */
export function openMemoryRealtime(clock: Clock, settings: EventStreamSettings): Realtime {
  const retainMs = settings.retainSeconds * 1000;
  const presence = createMemoryPresence(clock, retainMs);
  const streams = createMemoryStreams(clock, { retainCount: settings.retainCount, retainMs }, (key) => presence.wants(key));
  return { presence, streams };
}

/** Streams and presence shared by every node through Redis, on the caller's two connections. */
export function openRedisRealtime(commands: Redis, subscriber: Redis, prefix: string, clock: Clock, settings: EventStreamSettings, onError: (error: unknown) => void): Realtime {
  const retainMs = settings.retainSeconds * 1000;
  return {
    presence: createRedisPresence(commands, subscriber, prefix, clock, retainMs, onError),
    streams: createRedisStreams(commands, subscriber, prefix, clock, { retainCount: settings.retainCount, retainMs }, onError),
  };
}

/** Stops both. */
export async function closeRealtime(realtime: Realtime): Promise<void> {
  await Promise.all([realtime.streams.close(), realtime.presence.close()]);
}
