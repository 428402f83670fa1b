import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { callApi, type Reply, tempDir, text } from './helpers.js';
import { type ServerProcess, startProcess } from './process.js';
import { createSchema, dropSchema, schemaUrl, testSchema } from './pg.js';
import { privateRedis } from './redis.js';
import { privatePostgres } from './services.js';

// Acceptance: stop PostgreSQL, and separately Redis, while calls are made, start it again; calls
// fail fast with the documented code during the outage, succeed after, nothing acknowledged is
// missing, and parley neither hangs nor crashes. The service stopped is the test's own (a private
// server on a port of its own), so stopping it disturbs no other suite.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let parley: ServerProcess | undefined;
after(async () => {
  await parley?.stop('SIGKILL');
});

/** A service the test can take away and bring back. */
interface Outage {
  /** /healthz names it so while it is down. */
  readonly name: string;
  stop(): Promise<void> | void;
  start(): Promise<void> | void;
}

interface Outcome {
  readonly random: number;
  readonly code: number;
  readonly ms: number;
  readonly key?: string;
}

/** Calls under load, `service` stopped for four seconds and started again, and what that did. */
async function outage(t: { diagnostic(message: string): void }, env: Record<string, string>, service: Outage): Promise<void> {
  parley = await startProcess(tempDir('parley-faults-'), { env });
  const url = parley.url;
  assert.equal((await callApi(url, 'im_open_login_svc/multiaccount_import', { Accounts: ['fa', 'fb'] })).ErrorCode, 0);

  const outcomes: Outcome[] = [];
  let random = 0;
  let stopLoad = false;
  const send = async (): Promise<void> => {
    const r = ++random;
    const started = Date.now();
    const reply: Reply = await callApi(url, 'openim/sendmsg', { From_Account: 'fa', To_Account: 'fb', MsgRandom: r, MsgBody: text(`m${r}`) });
    outcomes.push({ random: r, code: reply.ErrorCode, ms: Date.now() - started, ...(reply.ErrorCode === 0 ? { key: String(reply['MsgKey']) } : {}) });
  };
  // Four clients, each with one call in flight at a time, for the whole test.
  const load = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!stopLoad) {
        await send();
        await sleep(5);
      }
    }),
  );

  await sleep(500);
  const beforeOutage = outcomes.length;
  assert.ok(beforeOutage > 0 && outcomes.every((o) => o.code === 0), 'calls succeed before the outage');
  await service.stop();
  const stoppedAt = outcomes.length;
  await sleep(4000);
  const during = outcomes.slice(stoppedAt);
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 503);
  assert.deepEqual(await health.json(), { status: 'unavailable', down: [service.name] });

  await service.start();
  // Back within a few seconds of PostgreSQL's return.
  const back = Date.now();
  let healed = false;
  while (!healed && Date.now() - back < 10_000) {
    await sleep(100);
    healed = outcomes.slice(-4).length === 4 && outcomes.slice(-4).every((o) => o.code === 0);
  }
  const healedAfterMs = Date.now() - back;
  await sleep(300);
  stopLoad = true;
  await load;

  // During the outage: only success (a call that got in before the stop) or the internal-error
  // code, each answered within a few seconds, and many answered (the calls did not hang).
  const failed = during.filter((o) => o.code !== 0);
  assert.ok(failed.length >= 8, `only ${failed.length} calls were answered during a 4 s outage`);
  assert.deepEqual([...new Set(failed.map((o) => o.code))], [91000], 'the documented internal-error code for openim');
  const slowest = Math.max(...during.map((o) => o.ms));
  assert.ok(slowest < 4000, `a call took ${slowest} ms during the outage`);
  assert.ok(healed, `calls succeed again once ${service.name} is back`);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);

  // Nothing acknowledged is missing. (A call refused at the instant of the stop may still have
  // committed: its answer, not its write, was lost. That is the in-doubt case every client of a
  // database has, and a retry with the same MsgRandom is deduplicated.)
  const acknowledged = new Set(outcomes.filter((o) => o.code === 0).map((o) => o.key));
  const stored = new Set<string>();
  let cursor: Record<string, unknown> = { MaxTime: 4_000_000_000 };
  for (let complete = false; !complete; ) {
    const page = await callApi(url, 'openim/admin_getroammsg', { Operator_Account: 'fa', Peer_Account: 'fb', MaxCnt: 100, MinTime: 0, ...cursor });
    assert.equal(page.ErrorCode, 0, page.ErrorInfo);
    for (const m of page['MsgList'] as { MsgKey: string }[]) stored.add(m.MsgKey);
    complete = page['Complete'] === 1;
    cursor = { MaxTime: page['LastMsgTime'], LastMsgKey: page['LastMsgKey'] };
  }
  for (const key of acknowledged) assert.ok(key !== undefined && stored.has(key), `acknowledged message ${key} is missing`);

  const exit = await parley.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, parley.output());
  t.diagnostic(`${service.name} outage: ${failed.length} calls refused, slowest ${slowest} ms; healed ${healedAfterMs} ms after the restart; ${acknowledged.size} acknowledged, all stored`);
}

test('PostgreSQL stops and starts again under load: calls fail fast with 91000, /healthz names it, parley heals, nothing acknowledged is lost', async (t) => {
  const pg = await privatePostgres();
  t.after(() => pg.destroy());
  await outage(t, { PARLEY_DATABASE_URL: pg.url }, { name: 'postgres', stop: () => pg.stop(), start: () => pg.start() });
});

test('Redis stops and starts again under load (PostgreSQL store): calls fail fast with 91000, /healthz names it, parley heals, nothing acknowledged is lost', async (t) => {
  const redis = await privateRedis();
  t.after(() => redis.stop());
  const schema = testSchema();
  await createSchema(schema);
  t.after(() => dropSchema(schema));
  // A limit high enough never to refuse: each call needs Redis's budget only when its lease runs out.
  const env = { PARLEY_DATABASE_URL: schemaUrl(schema), PARLEY_REDIS_URL: redis.url, PARLEY_RATE_LIMIT: '100000' };
  await outage(t, env, { name: 'redis', stop: () => redis.stop(), start: () => redis.start() });
});
