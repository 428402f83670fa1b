import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { callApi, type Reply, tempDir, text } from './helpers.js';
import { type ServerProcess, startProcess } from './process.js';
import { privatePostgres, type PrivatePostgres } from './services.js';

// Acceptance: stop PostgreSQL while calls are made, start it again; calls fail fast with the
// documented code during the outage, succeed after, nothing acknowledged is missing, and parley
// neither hangs nor crashes. The PostgreSQL here is the test's own, so stopping it disturbs no
// other suite.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pg: PrivatePostgres | undefined;
let parley: ServerProcess | undefined;
after(async () => {
  if (parley !== undefined && process.exitCode) process.stdout.write(parley.output().replace(/^/gm, '# '));
  await parley?.stop('SIGKILL');
  pg?.destroy();
});

interface Outcome {
  readonly random: number;
  readonly code: number;
  readonly ms: number;
  readonly key?: string;
}

test('PostgreSQL stops and starts again under load: calls fail fast with 91000, /healthz names it, parley heals, nothing acknowledged is lost', async (t) => {
  pg = await privatePostgres();
  parley = await startProcess(tempDir('parley-faults-'), { env: { PARLEY_DATABASE_URL: pg.url } });
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
  pg.stop();
  const stoppedAt = outcomes.length;
  await sleep(4000);
  const during = outcomes.slice(stoppedAt);
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 503);
  assert.deepEqual(await health.json(), { status: 'unavailable', down: ['postgres'] });

  pg.start();
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
  assert.ok(healed, 'calls succeed again once PostgreSQL is back');
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
  t.diagnostic(`outage: ${failed.length} calls refused, slowest ${slowest} ms; healed ${healedAfterMs} ms after the restart; ${acknowledged.size} acknowledged, all stored`);
});
