import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { callApi, type Reply, tempDir, text } from './helpers.js';
import { type ServerProcess, startProcess } from './process.js';

// The real server as a child process (node dist/src/server.js), stopped with SIGTERM and started
// again on the same data directory: what it acknowledged is there, and what it destroyed is gone.

const started: ServerProcess[] = [];
after(async () => {
  for (const p of started) await p.stop('SIGKILL');
});

async function start(dataDir: string): Promise<ServerProcess> {
  const p = await startProcess(dataDir);
  started.push(p);
  return p;
}

/** Stops with SIGTERM and asserts the clean exit of decisions.md §1. */
async function stopCleanly(p: ServerProcess): Promise<void> {
  const exit = await p.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, `parley did not exit 0 on SIGTERM:\n${p.output()}`);
}

async function ok(p: ServerProcess, api: string, body: unknown): Promise<Reply> {
  const reply = await callApi(p.url, api, body);
  assert.equal(reply.ErrorCode, 0, `${api} failed: ${reply.ErrorCode} ${reply.ErrorInfo}`);
  return reply;
}

let nextRandom = 1;
async function send(p: ServerProcess, from: string, to: string, msgBody: unknown, cloudCustomData?: string): Promise<string> {
  const r = await ok(p, 'openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: nextRandom++, MsgBody: msgBody, ...(cloudCustomData === undefined ? {} : { CloudCustomData: cloudCustomData }) });
  assert.equal(typeof r['MsgKey'], 'string');
  return r['MsgKey'] as string;
}

/** The whole history between two users, through admin_getroammsg pages of `pageSize`. */
async function history(p: ServerProcess, owner: string, peer: string, pageSize = 100): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let cursor: { MaxTime: number; LastMsgKey?: string } = { MaxTime: 4294967295 };
  for (;;) {
    const r = await ok(p, 'openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: pageSize, MinTime: 0, ...cursor });
    all.unshift(...(r['MsgList'] as Record<string, unknown>[]));
    if (r['Complete'] === 1) return all;
    cursor = { MaxTime: r['LastMsgTime'] as number, LastMsgKey: r['LastMsgKey'] as string };
  }
}

/** Every file under `dir`, read as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path, bytes: readFileSync(path) };
    });
}

/** Random hex of `length` characters: a marker that cannot occur in the files by chance. */
function marker(tag: string, length: number): string {
  const prefix = `${tag}-`;
  return prefix + randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length - prefix.length);
}

/**
 * A marker cut into consecutive 32-character pieces (the last one flush with its end). A long text
 * is split across overflow pages, so it is looked for piece by piece: a remnant of any page would
 * hold whole pieces, while a piece found by chance in random hex is out of the question.
 */
function pieces(m: string): string[] {
  const size = 32;
  const out: string[] = [];
  for (let i = 0; i + size <= m.length; i += size) out.push(m.slice(i, i + size));
  out.push(m.slice(-size));
  return out;
}

test('what was acknowledged before a SIGTERM is there after a restart: bodies, CloudCustomData, modifications, recalls', async () => {
  const dataDir = tempDir('parley-persist-');
  let p = await start(dataDir);
  await ok(p, 'im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });

  const mixed = [
    { MsgType: 'TIMTextElem', MsgContent: { Text: 'two elements, one of them custom: ünïcödé ✓ 🎉' } },
    { MsgType: 'TIMCustomElem', MsgContent: { Data: '{"order":42}', Desc: 'order', Ext: 'x', Sound: '' } },
  ];
  const plain = await send(p, 'alice', 'bob', text('plain, no custom data'));
  const withData = await send(p, 'alice', 'bob', mixed, 'cloud data kept as given');
  const fromBob = await send(p, 'bob', 'alice', text('the other way round'), 'bob data');
  const modified = await send(p, 'alice', 'bob', text('before the modification'), 'data before');
  const dataOnly = await send(p, 'bob', 'alice', text('only my custom data changes'), 'first data');
  const recalled = await send(p, 'alice', 'bob', text('this one is recalled'), 'recalled data');
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: modified, MsgBody: text('after the modification'), CloudCustomData: 'data after' });
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'bob', To_Account: 'alice', MsgKey: dataOnly, CloudCustomData: 'second data' });
  await ok(p, 'openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: recalled });
  const beforeStop = await history(p, 'alice', 'bob');
  assert.equal(beforeStop.length, 6);

  await stopCleanly(p);
  p = await start(dataDir);

  const afterRestart = await history(p, 'alice', 'bob');
  // Across a restart nothing changes, not even the order or the identity fields of a message.
  assert.deepEqual(afterRestart, beforeStop);
  const byKey = new Map(afterRestart.map((m) => [m['MsgKey'], m]));
  const expect = (key: string, from: string, to: string, msgBody: unknown, data: string, flags = 0) => {
    const m = byKey.get(key);
    assert.ok(m, `message ${key} is missing after the restart`);
    const [seq, random, time] = key.split('_').map(Number);
    assert.deepEqual(
      { From_Account: m['From_Account'], To_Account: m['To_Account'], MsgSeq: m['MsgSeq'], MsgRandom: m['MsgRandom'], MsgTimeStamp: m['MsgTimeStamp'], MsgBody: m['MsgBody'], CloudCustomData: m['CloudCustomData'], MsgFlagBits: m['MsgFlagBits'] },
      { From_Account: from, To_Account: to, MsgSeq: seq, MsgRandom: random, MsgTimeStamp: time, MsgBody: msgBody, CloudCustomData: data, MsgFlagBits: flags },
    );
  };
  expect(plain, 'alice', 'bob', text('plain, no custom data'), '');
  expect(withData, 'alice', 'bob', mixed, 'cloud data kept as given');
  expect(fromBob, 'bob', 'alice', text('the other way round'), 'bob data');
  expect(modified, 'alice', 'bob', text('after the modification'), 'data after');
  expect(dataOnly, 'bob', 'alice', text('only my custom data changes'), 'second data');
  const r = byKey.get(recalled);
  assert.equal(r?.['MsgFlagBits'], 8, 'the recalled message keeps its place in history, flagged 8');
  assert.doesNotMatch(JSON.stringify(r), /this one is recalled|recalled data/, 'a recalled message has no content left');

  // Bob's view of the same conversation is the same set of messages.
  assert.deepEqual(
    (await history(p, 'bob', 'alice')).map((m) => m['MsgKey']),
    afterRestart.map((m) => m['MsgKey']),
  );
  // The accounts, the admin and the recall are state too: sends, modifications and a second recall behave as before the stop.
  await send(p, 'bob', 'alice', text('sent after the restart'));
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: plain, MsgBody: text('modified after the restart') });
  const again = await callApi(p.url, 'openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: recalled });
  assert.equal(again.ErrorCode, 20023);
  const modifyRecalled = await callApi(p.url, 'openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: recalled, MsgBody: text('no') });
  assert.equal(modifyRecalled.ErrorCode, 20023);
  const last = await history(p, 'alice', 'bob');
  assert.equal(last.length, 7);
  assert.deepEqual(last.find((m) => m['MsgKey'] === plain)?.['MsgBody'], text('modified after the restart'));

  await stopCleanly(p);
});

test('after a modification or a recall and a clean stop, the old content is nowhere in the data directory', async () => {
  const dataDir = tempDir('parley-erase-');
  const p = await start(dataDir);
  await ok(p, 'im_open_login_svc/multiaccount_import', { Accounts: ['carol', 'dave'] });

  // Short texts live inside a table page; 3,000 characters fill most of one; 9,000 spill onto overflow pages.
  const old = {
    short: marker('OLDSHORT', 40),
    medium: marker('OLDMEDIUM', 3000),
    long: marker('OLDLONG', 9000),
    data: marker('OLDDATA', 40),
    longData: marker('OLDLONGDATA', 2500),
    onlyData: marker('OLDONLYDATA', 40),
    recalledText: marker('OLDRECALLED', 40),
    recalledLong: marker('OLDRECALLEDLONG', 9000),
    recalledData: marker('OLDRECALLEDDATA', 40),
  };
  const now = {
    short: marker('NEWSHORT', 40),
    medium: marker('NEWMEDIUM', 2000),
    long: marker('NEWLONG', 8000),
    data: marker('NEWDATA', 40),
    onlyData: marker('NEWONLYDATA', 40),
    kept: marker('KEPTTEXT', 40),
  };
  // Neighbours on the same pages, sent before and after, so the old content is not alone on its page.
  for (let i = 0; i < 5; i++) await send(p, 'carol', 'dave', text(`neighbour ${i} before`));
  const short = await send(p, 'carol', 'dave', text(old.short), old.data);
  const medium = await send(p, 'dave', 'carol', text(old.medium));
  const long = await send(p, 'carol', 'dave', text(old.long), old.longData);
  const onlyData = await send(p, 'dave', 'carol', text(now.kept), old.onlyData);
  const recalledShort = await send(p, 'carol', 'dave', text(old.recalledText), old.recalledData);
  const recalledLong = await send(p, 'dave', 'carol', text(old.recalledLong));
  for (let i = 0; i < 5; i++) await send(p, 'dave', 'carol', text(`neighbour ${i} after`));

  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'carol', To_Account: 'dave', MsgKey: short, MsgBody: text(now.short), CloudCustomData: now.data });
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'dave', To_Account: 'carol', MsgKey: medium, MsgBody: text(now.medium) });
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'carol', To_Account: 'dave', MsgKey: long, MsgBody: text(now.long), CloudCustomData: '' });
  await ok(p, 'openim/modify_c2c_msg', { From_Account: 'dave', To_Account: 'carol', MsgKey: onlyData, CloudCustomData: now.onlyData });
  await ok(p, 'openim/admin_msgwithdraw', { From_Account: 'carol', To_Account: 'dave', MsgKey: recalledShort });
  await ok(p, 'openim/admin_msgwithdraw', { From_Account: 'dave', To_Account: 'carol', MsgKey: recalledLong });
  // The API agrees before looking at the files.
  const served = JSON.stringify(await history(p, 'carol', 'dave'));
  for (const m of Object.values(now)) assert.ok(served.includes(m), `${m.slice(0, 12)} is served`);
  for (const m of Object.values(old)) assert.ok(!served.includes(m), `${m.slice(0, 12)} is no longer served`);

  await stopCleanly(p);

  const files = filesUnder(dataDir);
  assert.ok(files.some((f) => f.path.endsWith('parley.db')), `the data directory holds the database: ${files.map((f) => f.path).join(', ')}`);
  const found = (piece: string) => files.filter((f) => f.bytes.includes(piece)).map((f) => f.path);
  // The search itself works: the current content is found (all but the pieces cut by a page boundary).
  for (const [name, m] of Object.entries(now)) {
    const all = pieces(m);
    const seen = all.filter((piece) => found(piece).length > 0).length;
    assert.ok(seen >= all.length * 0.9, `only ${seen} of ${all.length} pieces of the current ${name} content are in the data directory`);
  }
  for (const [name, m] of Object.entries(old)) {
    const left = pieces(m).flatMap((piece) => found(piece).map((path) => `${piece} in ${path}`));
    assert.deepEqual(left, [], `the old ${name} content can still be read from the data directory`);
  }
});
