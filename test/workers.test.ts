import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { callApi, type Reply, TEST_APP, tempDir, text, userSig } from './helpers.js';
import { type ServerProcess, startProcess } from './process.js';

// Acceptance of PARLEY_WORKERS (decisions.md §1, issue "Scale-out"): two worker processes of one
// cluster share the port and one SQLite file, over real HTTP on loopback. Group MsgSeq has no gap
// and no repeat under concurrent sends served by both, modifications read back through both,
// account and group changes made through one are seen at once by the other, the frequency limit
// is shared, a killed worker is replaced, and SIGTERM stops everything with exit code 0.

const started: ServerProcess[] = [];
after(async () => {
  for (const p of started) await p.stop('SIGKILL');
});

async function start(dataDir: string, options: Parameters<typeof startProcess>[1]): Promise<ServerProcess> {
  const p = await startProcess(dataDir, { ...options, logsBeforeBanner: true });
  started.push(p);
  return p;
}

/**
 * Calls an API on a connection of its own, closed afterwards: the cluster hands each new connection
 * to the next worker in turn, so consecutive calls are served by each worker alike.
 */
function freshCall(url: string, api: string, body: unknown): Promise<Reply> {
  const query = `sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${encodeURIComponent(userSig())}&random=1&contenttype=json`;
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v4/${api}?${query}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let answer = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      res.on('end', () => resolve(JSON.parse(answer) as Reply));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Calls `api` this many times on fresh connections, one after another. */
async function eachWorker(url: string, api: string, body: unknown, times = 6): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < times; i++) replies.push(await freshCall(url, api, body));
  return replies;
}

async function ok(url: string, api: string, body: unknown): Promise<Reply> {
  const r = await callApi(url, api, body);
  assert.equal(r.ErrorCode, 0, `${api}: ${r.ErrorCode} ${r.ErrorInfo}`);
  return r;
}

/** The calls of `api` that the workers' debug logs show answered after the first `from` characters of output. */
function answered(p: ServerProcess, api: string, from = 0): { pid: number; time: number; code: number }[] {
  const calls: { pid: number; time: number; code: number }[] = [];
  for (const line of p.output().slice(from).split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; api?: string; pid?: number; time?: number; code?: number };
    if (entry.msg === 'api call' && entry.api === api) calls.push({ pid: Number(entry.pid), time: Number(entry.time), code: Number(entry.code) });
  }
  return calls;
}

/** The processes that answered `api` after the first `from` characters of output. */
function servedBy(p: ServerProcess, api: string, from = 0): Set<number> {
  return new Set(answered(p, api, from).map((a) => a.pid));
}

/** Asserts that two worker processes, neither of them the primary, answered `api`. */
function assertBothWorkers(p: ServerProcess, api: string, from = 0): Set<number> {
  const pids = servedBy(p, api, from);
  assert.equal(pids.size, 2, `${api} was answered by processes ${[...pids].join(', ')}, not by two workers`);
  assert.ok(!pids.has(p.pid), 'the primary answers no API');
  return pids;
}

const errorLines = (output: string) => output.split('\n').filter((l) => /"level":(50|60)/.test(l));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `count` calls through `lanes` concurrent clients (each on its own keep-alive connection). */
async function concurrently<T>(count: number, lanes: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await call(i);
    }),
  );
  return results;
}

test('PARLEY_WORKERS and --workers: 1 to 64, the argument over the variable, anything else refused', () => {
  assert.equal(loadConfig({}).workers, 1);
  assert.equal(loadConfig({ PARLEY_WORKERS: '64' }).workers, 64);
  assert.equal(loadConfig({ PARLEY_WORKERS: '3' }, ['--workers', '2']).workers, 2);
  assert.equal(loadConfig({}, ['--workers=5']).workers, 5);
  const refused: [NodeJS.ProcessEnv, string[], RegExp][] = [
    [{ PARLEY_WORKERS: '0' }, [], /^PARLEY_WORKERS=0 is not a whole number from 1 to 64$/],
    [{ PARLEY_WORKERS: '65' }, [], /^PARLEY_WORKERS=65 is not a whole number from 1 to 64$/],
    [{ PARLEY_WORKERS: 'two' }, [], /^PARLEY_WORKERS=two is not a whole number from 1 to 64$/],
    [{}, ['--workers', '1.5'], /^--workers=1\.5 is not a whole number from 1 to 64$/],
    [{}, ['--workers'], /^--workers needs a whole number from 1 to 64$/],
    [{}, ['--wokers', '2'], /^unknown argument --wokers/],
  ];
  for (const [env, args, message] of refused) assert.throws(() => loadConfig(env, args), (e: unknown) => e instanceof ConfigError && message.test(e.message));
});

test('PARLEY_WORKERS=2 on one SQLite file', async (t) => {
  const p = await start(tempDir('parley-workers-'), { env: { PARLEY_WORKERS: '2', PARLEY_LOG_LEVEL: 'debug' } });
  await ok(p.url, 'im_open_login_svc/multiaccount_import', { Accounts: ['owner', 'alice', 'bob', 'gone'] });

  await t.test('400 concurrent send_group_msg through both workers get MsgSeq 1..400 exactly, and all are stored', async () => {
    const SENDS = 400;
    const groupId = (await ok(p.url, 'group_open_http_svc/create_group', { Owner_Account: 'owner', Type: 'Public', Name: 'busy' }))['GroupId'] as string;
    const seqs = await concurrently(SENDS, 32, async (i) => {
      const r = await ok(p.url, 'group_open_http_svc/send_group_msg', { GroupId: groupId, Random: i + 1, MsgBody: text(`m${i + 1}`) });
      return r['MsgSeq'] as number;
    });
    assert.deepEqual([...seqs].sort((a, b) => a - b), Array.from({ length: SENDS }, (_, i) => i + 1), 'MsgSeq has a gap or a repeat');
    const workers = assertBothWorkers(p, 'group_open_http_svc/send_group_msg');
    const stored = new Map<number, unknown>();
    for (let seq = SENDS; seq >= 1; seq -= 20) {
      const page = await ok(p.url, 'group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgSeq: seq, ReqMsgNumber: 20 });
      for (const m of page['RspMsgList'] as Record<string, unknown>[]) stored.set(m['MsgSeq'] as number, m);
    }
    assert.equal(stored.size, SENDS);
    seqs.forEach((seq, i) => assert.deepEqual((stored.get(seq) as Record<string, unknown>)['MsgBody'], text(`m${i + 1}`), `MsgSeq ${seq} holds another message`));
    const info = await ok(p.url, 'group_open_http_svc/get_group_info', { GroupIdList: [groupId] });
    assert.equal((info['GroupInfo'] as Record<string, unknown>[])[0]?.['NextMsgSeq'], SENDS + 1);
    t.diagnostic(`${SENDS} sends answered by workers ${[...workers].join(' and ')}`);
  });

  await t.test('modify_c2c_msg and modify_group_msg done through one worker are read back through both', async () => {
    const from = p.output().length;
    const sent = await ok(p.url, 'openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 7, MsgBody: text('before'), CloudCustomData: 'old' });
    const modified = await freshCall(p.url, 'openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], MsgBody: text('after') });
    assert.equal(modified.ErrorCode, 0, modified.ErrorInfo);
    for (const r of await eachWorker(p.url, 'openim/admin_getroammsg', { Operator_Account: 'bob', Peer_Account: 'alice', MaxCnt: 10, MinTime: 0, MaxTime: 4294967295 })) {
      const [m] = r['MsgList'] as Record<string, unknown>[];
      assert.deepEqual([m?.['MsgKey'], m?.['MsgBody'], m?.['CloudCustomData']], [sent['MsgKey'], text('after'), 'old']);
    }
    assertBothWorkers(p, 'openim/admin_getroammsg', from);

    const groupId = (await ok(p.url, 'group_open_http_svc/create_group', { Owner_Account: 'owner', Type: 'Public', Name: 'edits' }))['GroupId'] as string;
    for (let i = 1; i <= 3; i++) await ok(p.url, 'group_open_http_svc/send_group_msg', { GroupId: groupId, Random: i, MsgBody: text(`g${i}`) });
    const changed = await freshCall(p.url, 'openim/modify_group_msg', { GroupId: groupId, MsgSeq: 2, MsgBody: text('g2 edited'), CloudCustomData: 'new data' });
    assert.equal(changed.ErrorCode, 0, changed.ErrorInfo);
    for (const r of await eachWorker(p.url, 'group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgSeq: 3, ReqMsgNumber: 3 })) {
      const bySeq = new Map((r['RspMsgList'] as Record<string, unknown>[]).map((m) => [m['MsgSeq'], [m['MsgBody'], m['CloudCustomData']]]));
      assert.deepEqual([bySeq.get(1), bySeq.get(2), bySeq.get(3)], [[text('g1'), ''], [text('g2 edited'), 'new data'], [text('g3'), '']]);
    }
    assertBothWorkers(p, 'group_open_http_svc/group_msg_get_simple', from);
  });

  await t.test('an account deleted or imported through one worker is seen so at once by both; so is a group destroyed and made again', async () => {
    const check = { CheckItem: [{ UserID: 'gone' }, { UserID: 'late' }] };
    const statuses = (r: Reply) => (r['ResultItem'] as Record<string, unknown>[]).map((i) => i['AccountStatus']);
    // Both workers remember both accounts' states first.
    for (const r of await eachWorker(p.url, 'im_open_login_svc/account_check', check)) assert.deepEqual(statuses(r), ['Imported', 'NotImported']);
    const from = p.output().length;
    assert.equal((await freshCall(p.url, 'im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] })).ErrorCode, 0);
    assert.equal((await freshCall(p.url, 'im_open_login_svc/multiaccount_import', { Accounts: ['late'] })).ErrorCode, 0);
    for (const r of await eachWorker(p.url, 'im_open_login_svc/account_check', check)) assert.deepEqual(statuses(r), ['NotImported', 'Imported']);
    assertBothWorkers(p, 'im_open_login_svc/account_check', from);
    for (const r of await eachWorker(p.url, 'openim/sendmsg', { From_Account: 'alice', To_Account: 'gone', MsgRandom: 1, MsgBody: text('x') })) assert.equal(r.ErrorCode, 90012, r.ErrorInfo);
    for (const r of await eachWorker(p.url, 'openim/sendmsg', { From_Account: 'gone', To_Account: 'alice', MsgRandom: 2, MsgBody: text('x') })) assert.equal(r.ErrorCode, 90008, r.ErrorInfo);
    for (const r of await eachWorker(p.url, 'openim/sendmsg', { From_Account: 'late', To_Account: 'alice', MsgRandom: 3, MsgBody: text('x') })) {
      assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    }
    assertBothWorkers(p, 'openim/sendmsg', from);

    // A group's kind is remembered too: destroyed and made again as an AVChatRoom (which keeps no
    // history to modify), the same GroupId must be refused as such by both workers.
    await ok(p.url, 'group_open_http_svc/create_group', { Owner_Account: 'owner', Type: 'Public', Name: 'reused', GroupId: 'reused' });
    await ok(p.url, 'group_open_http_svc/send_group_msg', { GroupId: 'reused', Random: 1, MsgBody: text('one') });
    for (const r of await eachWorker(p.url, 'openim/modify_group_msg', { GroupId: 'reused', MsgSeq: 1, MsgBody: text('two') })) assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    const again = p.output().length;
    assert.equal((await freshCall(p.url, 'group_open_http_svc/destroy_group', { GroupId: 'reused' })).ErrorCode, 0);
    assert.equal((await freshCall(p.url, 'group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live', GroupId: 'reused' })).ErrorCode, 0);
    for (const r of await eachWorker(p.url, 'openim/modify_group_msg', { GroupId: 'reused', MsgSeq: 1, MsgBody: text('three') })) assert.equal(r.ErrorCode, 10007, r.ErrorInfo);
    assertBothWorkers(p, 'openim/modify_group_msg', again);
  });

  await t.test('SIGTERM stops the primary and every worker; the primary exits 0; the banner was printed once', async () => {
    const workers = servedBy(p, 'group_open_http_svc/send_group_msg');
    const exit = await p.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, `parley did not exit 0 on SIGTERM:\n${p.output().slice(-3000)}`);
    assert.equal(p.output().split('\n').filter((l) => l.startsWith('parley listening on')).length, 1);
    assert.deepEqual(errorLines(p.output()), []);
    for (const pid of workers) await until(`worker ${pid} is gone`, () => !alive(pid));
  });
});

test('--workers 2 (over PARLEY_WORKERS=1): one frequency limit for both workers; a killed worker is replaced', async (t) => {
  const p = await start(tempDir('parley-workers-'), { args: ['--workers', '2'], env: { PARLEY_WORKERS: '1', PARLEY_RATE_LIMIT: '200', PARLEY_LOG_LEVEL: 'debug' } });

  await t.test('a burst of 600 account_check calls lets 200 ± 10 through and answers 60007 to the rest', async () => {
    const BURST = 600;
    const LANES = 60;
    // Connections are opened (and the primary's budget warmed) by another API, whose calls are
    // counted apart, so the burst itself is as short as it can be.
    await concurrently(LANES, LANES, () => callApi(p.url, 'group_open_http_svc/get_group_info', { GroupIdList: ['nothing'] }));
    const query = `sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${encodeURIComponent(userSig())}&random=1&contenttype=json`;
    const body = JSON.stringify({ CheckItem: [{ UserID: 'administrator' }] });
    const from = p.output().length;
    const began = Date.now();
    const codes = await concurrently(BURST, LANES, async () => {
      const r = await fetch(`${p.url}/v4/im_open_login_svc/account_check?${query}`, { method: 'POST', body });
      return ((await r.json()) as Reply).ErrorCode;
    });
    const ms = Date.now() - began;
    const allowed = codes.filter((c) => c === 0).length;
    const refused = codes.filter((c) => c === 60007).length;
    assert.equal(allowed + refused, BURST, `codes other than 0 and 60007: ${[...new Set(codes)].join(', ')}`);
    assertBothWorkers(p, 'im_open_login_svc/account_check', from);
    // The workers' logs tell when each call was allowed: no rolling second holds more than the
    // limit allows, and the busiest one reached it, however long the burst took on a busy machine.
    const times = answered(p, 'im_open_login_svc/account_check', from)
      .filter((a) => a.code === 0)
      .map((a) => a.time)
      .sort((a, b) => a - b);
    let busiest = 0;
    for (let first = 0, last = 0; last < times.length; last++) {
      while ((times[last] ?? 0) - (times[first] ?? 0) >= 1000) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
    t.diagnostic(`${allowed} allowed, ${refused} refused with 60007, in ${ms} ms; at most ${busiest} allowed in one rolling second`);
    assert.equal(times.length, allowed);
    assert.ok(busiest >= 190 && busiest <= 210, `${busiest} calls allowed in one second; expected 200 ± 10`);
    if (ms < 1000) assert.ok(allowed >= 190 && allowed <= 210, `${allowed} calls allowed in a burst of ${ms} ms; expected 200 ± 10`);
  });

  await t.test('a worker killed with SIGKILL is replaced, and the cluster goes on serving', async () => {
    const [victim] = servedBy(p, 'im_open_login_svc/account_check');
    assert.ok(victim !== undefined);
    process.kill(victim, 'SIGKILL');
    await until('the primary notices', () => p.output().includes('a worker exited unexpectedly'));
    const from = p.output().length;
    await until('a replacement worker serves', () => {
      // Answers come back to the log; a connection refused while the worker is being replaced is no failure.
      freshCall(p.url, 'im_open_login_svc/account_check', { CheckItem: [{ UserID: 'administrator' }] }).catch(() => {});
      const pids = servedBy(p, 'im_open_login_svc/account_check', from);
      return pids.size === 2 && !pids.has(victim);
    });
    const exit = await p.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, `parley did not exit 0 on SIGTERM:\n${p.output().slice(-3000)}`);
  });
});
