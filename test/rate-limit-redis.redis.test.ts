import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { createMemoryBus } from '../src/bus/memory.js';
import { loadConfig } from '../src/config.js';
import { type Deps, randomIds, systemClock } from '../src/deps.js';
import { createRedisBudget } from '../src/gateway/budget-redis.js';
import { createLeasedRateLimiter } from '../src/gateway/rate-limit-leased.js';
import type { RateLimiter } from '../src/gateway/rate-limit.js';
import { openMemoryRealtime } from '../src/realtime/open.js';
import { closeRedis, openRedis, redisReady } from '../src/redis.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { budgetContract } from './budget-contract.js';
import { assertOk, assertRefused, callApi, TEST_APP, tempDir } from './helpers.js';
import { cleanRedis, connect, privateRedis, ready, testRedisUrl, uniquePrefix, until } from './redis.js';

const url = testRedisUrl();
const prefix = uniquePrefix();
/** Two connections: two nodes of one deployment. */
const nodeA = connect(url);
const nodeB = connect(url);

after(async () => {
  await cleanRedis(nodeA, prefix);
  await Promise.all([closeRedis(nodeA), closeRedis(nodeB)]);
});

budgetContract('redis', async () => {
  await ready(nodeA);
  return createRedisBudget(nodeA, prefix);
});

const T = Date.now();
let keys = 0;
/** A key of its own per test. */
const freshKey = (): string => `1400123456:openim/test${keys++}`;

function twoNodes(): [RateLimiter, RateLimiter] {
  return [createLeasedRateLimiter(createRedisBudget(nodeA, prefix)), createLeasedRateLimiter(createRedisBudget(nodeB, prefix))];
}

describe('leased rate limiter over Redis, two nodes', () => {
  before(() => ready(nodeA, nodeB));

  test('a burst of 600 calls split across two nodes with a limit of 200/s lets 200 ± 10 through', async (t) => {
    const [a, b] = twoNodes();
    const key = freshKey();
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? a : b).allow(key, 200, T)));
    const allowed = answers.filter(Boolean).length;
    t.diagnostic(`allowed ${allowed} of 600`);
    assert.ok(Math.abs(allowed - 200) <= 10, `allowed ${allowed} of 600`);
  });

  test('the same burst on the real clock, each node calling one after another', async (t) => {
    const [a, b] = twoNodes();
    const key = freshKey();
    const began = Date.now();
    const counts = await Promise.all(
      [a, b].map(async (node) => {
        let allowed = 0;
        for (let i = 0; i < 300; i++) if (await node.allow(key, 200, Date.now())) allowed++;
        return allowed;
      }),
    );
    const ms = Date.now() - began;
    const [first = 0, second = 0] = counts;
    t.diagnostic(`allowed ${first} + ${second} of 600 in ${ms} ms`);
    // Calls that outlasted a second (a loaded machine) met a window that had rolled on: 200 a second.
    const windows = Math.max(1, Math.ceil(ms / 1000));
    assert.ok(first + second >= 190 && first + second <= 200 * windows + 10, `allowed ${first} + ${second} of 600 in ${ms} ms`);
    assert.ok(first > 0 && second > 0, 'both nodes had a share');
  });

  test('the window rolls: refused until the oldest calls are a second old, then allowed again', async () => {
    const [a, b] = twoNodes();
    const key = freshKey();
    let allowed = 0;
    for (let i = 0; i < 60; i++) if (await (i % 2 === 0 ? a : b).allow(key, 50, T + i)) allowed++;
    assert.equal(allowed, 50);
    assert.equal(await a.allow(key, 50, T + 500), false);
    assert.equal(await b.allow(key, 50, T + 999), false);
    // The first call was at T: one more fits at T + 1000, on either node.
    assert.equal(await b.allow(key, 50, T + 1000), true);
    assert.equal(await a.allow(key, 50, T + 1000), false, 'only the call made at T has left the window');
    let later = 0;
    for (let i = 0; i < 100; i++) if (await (i % 2 === 0 ? a : b).allow(key, 50, T + 2100)) later++;
    assert.equal(later, 50, 'a whole window later, the whole limit again');
  });

  test('a steady stream of 2000 calls/s from two nodes against 200/s: every rolling second within ±5%', async (t) => {
    const [a, b] = twoNodes();
    const key = freshKey();
    const allowedAt: number[] = [];
    for (let t = T; t < T + 3000; t++) {
      for (const node of [a, b]) if (await node.allow(key, 200, t)) allowedAt.push(t);
    }
    let lo = 0;
    let hi = 0;
    let min = Infinity;
    let max = 0;
    for (let t = T + 1000; t <= T + 3000; t++) {
      while (hi < allowedAt.length && (allowedAt[hi] ?? Infinity) <= t) hi++;
      while (lo < hi && (allowedAt[lo] ?? Infinity) <= t - 1000) lo++;
      min = Math.min(min, hi - lo);
      max = Math.max(max, hi - lo);
    }
    t.diagnostic(`between ${min} and ${max} calls in a rolling second`);
    assert.ok(max <= 210 && min >= 190, `between ${min} and ${max} calls in a second`);
  });

  test('keys are independent across nodes', async () => {
    const [a, b] = twoNodes();
    const key = freshKey();
    const other = freshKey();
    for (let i = 0; i < 10; i++) assert.equal(await a.allow(key, 10, T), true);
    assert.equal(await b.allow(key, 10, T), false);
    assert.equal(await b.allow(other, 10, T), true);
  });
});

describe('Redis outage (a private redis-server, stopped and started by this test)', () => {
  let server: Awaited<ReturnType<typeof privateRedis>>;
  let redis: Redis;
  const errors: Error[] = [];
  before(async () => {
    server = await privateRedis();
    // Parley's own settings: no shorter reconnect delay than production.
    redis = openRedis(server.url, { name: 'parley-test-outage', onError: (error) => errors.push(error) });
    await ready(redis);
  });
  after(async () => {
    await closeRedis(redis);
    await server.stop();
  });

  test('Redis stopped: allow() rejects within 2 s; Redis back: allowed again, with no help', async (t) => {
    const budget = createRedisBudget(redis, prefix);
    const limiter = createLeasedRateLimiter(budget);
    const key = freshKey();
    assert.equal(await limiter.allow(key, 200, Date.now()), true);

    await server.stop();
    await until(() => !redisReady(redis), 2000, 'the client to notice');
    assert.equal(await budget.healthy(), false);
    await new Promise((resolve) => setTimeout(resolve, 150)); // Any lease taken before has lapsed.
    const started = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => limiter.allow(key, 200, Date.now())));
    const elapsed = Date.now() - started;
    assert.ok(outcomes.every((o) => o.status === 'rejected'), 'every call fails');
    t.diagnostic(`50 calls failed in ${elapsed} ms`);
    assert.ok(elapsed < 2000, `failed in ${elapsed} ms`);
    assert.equal(errors.length, 1, 'the outage is reported once');

    await server.start();
    const restarted = Date.now();
    await until(async () => (await Promise.resolve(limiter.allow(key, 200, Date.now())).catch(() => false)) === true, 5000, 'calls to be allowed again');
    assert.equal(await budget.healthy(), true);
    t.diagnostic(`allowed again ${Date.now() - restarted} ms after Redis restarted`);
  });

  test('Redis hung (SIGSTOP): calls fail within the command timeout, not later', async (t) => {
    const limiter = createLeasedRateLimiter(createRedisBudget(redis, prefix));
    const key = freshKey();
    assert.equal(await limiter.allow(key, 200, Date.now()), true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.pause();
    try {
      const started = Date.now();
      await assert.rejects(Promise.resolve(limiter.allow(key, 200, Date.now())));
      const elapsed = Date.now() - started;
      t.diagnostic(`failed in ${elapsed} ms`);
      assert.ok(elapsed < 2000, `failed in ${elapsed} ms`);
    } finally {
      server.resume();
    }
    await until(async () => (await Promise.resolve(limiter.allow(key, 200, Date.now())).catch(() => false)) === true, 5000, 'calls to be allowed again');
  });

  test('through the gateway: the family internal-error code while Redis is away, /healthz 503 naming redis, then back to normal', async (t) => {
    const dataDir = tempDir();
    const store = openSqliteStore(dataDir);
    const budget = createRedisBudget(redis, prefix);
    const deps: Deps = {
      config: loadConfig({ PARLEY_DATA_DIR: dataDir, PARLEY_RATE_LIMIT: '200', PARLEY_PORT: '0' }),
      apps: { defaultApp: TEST_APP, bySdkAppId: new Map([[TEST_APP.sdkappid, TEST_APP]]), generatedKey: false },
      store,
      bus: createMemoryBus(() => undefined),
      realtime: openMemoryRealtime(systemClock, loadConfig({}).events),
      limiter: createLeasedRateLimiter(budget),
      clock: systemClock,
      ids: randomIds,
      logger: pino({ level: 'silent' }),
      checks: [
        { name: 'store', healthy: () => store.healthy() },
        { name: 'redis', healthy: () => budget.healthy() },
      ],
    };
    await store.importAccounts(TEST_APP.sdkappid, [{ userId: 'administrator' }]);
    const app = createApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(typeof address === 'object' && address !== null);
    const base = `http://127.0.0.1:${address.port}`;
    const check = () => callApi(base, 'im_open_login_svc/account_check', { CheckItem: [{ UserID: 'administrator' }] });
    try {
      assertOk(await check());
      await server.stop();
      await until(() => !redisReady(redis), 2000, 'the client to notice');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const started = Date.now();
      const reply = await check();
      t.diagnostic(`answered ${reply.ErrorCode} in ${Date.now() - started} ms`);
      assert.ok(Date.now() - started < 2000);
      assertRefused(reply, 70500);
      assert.match(reply.ErrorInfo, /request id/);
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { status: 'unavailable', down: ['redis'] });

      await server.start();
      const restarted = Date.now();
      await until(async () => (await check()).ErrorCode === 0, 5000, 'the API to answer again');
      t.diagnostic(`answering again ${Date.now() - restarted} ms after Redis restarted`);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
