import { after } from 'node:test';
import { loadConfig } from '../src/config.js';
import { closeRealtime, openRedisRealtime } from '../src/realtime/open.js';
import { closeRedis } from '../src/redis.js';
import { testClock } from './helpers.js';
import { realtimeContract } from './realtime-contract.js';
import { cleanRedis, connect, ready, testRedisUrl, uniquePrefix } from './redis.js';

// The event stream's streams and presence on Redis: two nodes, each with its own two connections,
// under one key prefix, as two parley processes have them.

const prefixes: string[] = [];
after(async () => {
  const redis = connect(testRedisUrl());
  await ready(redis);
  for (const prefix of prefixes) await cleanRedis(redis, prefix);
  await closeRedis(redis);
});

realtimeContract(async () => {
  const clock = testClock();
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  const settings = loadConfig({ PARLEY_EVENTS_RETAIN_COUNT: '3', PARLEY_EVENTS_RETAIN_SECONDS: '60' }).events;
  const connections = [connect(testRedisUrl()), connect(testRedisUrl()), connect(testRedisUrl()), connect(testRedisUrl())] as const;
  await ready(...connections);
  const errors: unknown[] = [];
  const a = openRedisRealtime(connections[0], connections[1], prefix, clock, settings, (e) => errors.push(e));
  const b = openRedisRealtime(connections[2], connections[3], prefix, clock, settings, (e) => errors.push(e));
  // Subscriptions are made on connection; wait until both nodes are on both channels.
  const probe = connections[0];
  for (let i = 0; i < 200; i++) {
    const counts = (await probe.pubsub('NUMSUB', `${prefix}es:live`, `${prefix}rt:presence`)) as (string | number)[];
    if (Number(counts[1]) >= 2 && Number(counts[3]) >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    a,
    b,
    clock,
    async close() {
      await Promise.all([closeRealtime(a), closeRealtime(b)]);
      await Promise.all(connections.map(closeRedis));
      if (errors.length > 0) throw new Error(`Redis errors: ${errors.map(String).join('; ')}`);
    },
  };
});
