import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { ConfigError, loadConfig } from '../src/config.js';
import { mountHistoryDownloads } from '../src/history/route.js';
import { formatMsgTime, hourStart } from '../src/history/hours.js';
import { assertOk, assertRefused, type Reply, startServer, type TestServer, text } from './helpers.js';

// open_msg_svc/get_history over real HTTP: messages sent in a past hour (the server's clock is
// moved back to send them), some modified and some recalled, come back in the downloaded archive
// exactly as admin_getroammsg and group_msg_get_simple show them, recalled ones left out.

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface FileEntry {
  URL: string;
  ExpireTime: string;
  FileSize: number;
  FileMD5: string;
  GzipSize: number;
  GzipMD5: string;
}

/** Downloads a File entry and checks it against what get_history said of it; answers its lines. */
async function download(entry: FileEntry): Promise<Record<string, unknown>[]> {
  const response = await fetch(entry.URL);
  assert.equal(response.status, 200, `download answered ${response.status}: ${await response.clone().text()}`);
  assert.equal(response.headers.get('content-type'), 'application/gzip');
  const gz = Buffer.from(await response.arrayBuffer());
  assert.equal(gz.length, entry.GzipSize, 'GzipSize is the size of the bytes served');
  assert.equal(md5(gz), entry.GzipMD5, 'GzipMD5 is the MD5 of the bytes served');
  const raw = gunzipSync(gz);
  assert.equal(raw.length, entry.FileSize, 'FileSize is the size before gzip');
  assert.equal(md5(raw), entry.FileMD5, 'FileMD5 is the MD5 before gzip');
  const textual = raw.toString('utf8');
  assert.ok(textual.endsWith('\n'), 'every line ends with a newline');
  return textual
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The one file of a get_history answer. */
function onlyFile(reply: Reply): FileEntry {
  assertOk(reply);
  const files = reply['File'] as FileEntry[];
  assert.equal(files.length, 1, `one file: ${JSON.stringify(reply)}`);
  return files[0] as FileEntry;
}

describe('open_msg_svc/get_history', () => {
  let s: TestServer;
  /** The past hour the messages are sent in (UNIX seconds of its start), and its YYYYMMDDHH. */
  let hour: number;
  let msgTime: string;
  let groupId: string;
  const c2cKeys: { from: string; to: string; key: string }[] = [];
  const groupSeqs: number[] = [];
  let random = 1000;

  const sendC2C = async (from: string, to: string, t: string, extra: Record<string, unknown> = {}) => {
    const r = await s.ok('openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: random++, MsgBody: text(t), ...extra });
    c2cKeys.push({ from, to, key: r['MsgKey'] as string });
    return r['MsgKey'] as string;
  };
  const sendGroup = async (from: string, t: string) => {
    const r = await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: from, Random: random++, MsgBody: text(t) });
    groupSeqs.push(r['MsgSeq'] as number);
    return r['MsgSeq'] as number;
  };
  /** Moves the server's clock to `at` (UNIX seconds) and keeps it there. */
  const at = (seconds: number) => s.clock.freeze(seconds * 1000);

  before(async () => {
    s = await startServer();
    await s.users('alice', 'bob', 'carol');
    groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'archive', Owner_Account: 'alice', MemberList: [{ Member_Account: 'bob' }, { Member_Account: 'carol' }] }))['GroupId'] as string;
    const now = Math.floor(Date.now() / 1000);
    hour = hourStart(now) - 3 * 3600;
    msgTime = formatMsgTime(hour);

    // Just before the hour, and in the hour after: neither belongs to the archive.
    at(hour - 1);
    await sendC2C('alice', 'bob', 'before the hour');
    await sendGroup('alice', 'before the hour');
    at(hour + 3600);
    await sendC2C('alice', 'bob', 'after the hour');
    await sendGroup('alice', 'after the hour');

    at(hour);
    c2cKeys.length = 0;
    groupSeqs.length = 0;
    await sendC2C('alice', 'bob', 'one');
    await sendC2C('bob', 'alice', 'two', { CloudCustomData: 'data of two' });
    // Several in one second: the archive keeps them all, in a fixed order.
    at(hour + 600);
    await sendC2C('alice', 'carol', 'three');
    await sendC2C('carol', 'alice', 'four');
    await sendC2C('alice', 'bob', 'five');
    await s.ok('openim/batchsendmsg', { From_Account: 'carol', To_Account: ['alice', 'bob'], MsgRandom: random++, MsgBody: text('to both') });
    await sendGroup('alice', 'g one');
    await sendGroup('bob', 'g two');
    await sendGroup('carol', 'g three');
    at(hour + 3599);
    await sendC2C('bob', 'carol', 'last second');
    await sendGroup('bob', 'g last second');

    // Later on: one of each kind modified, one recalled.
    at(hour + 3 * 3600 - 30);
    const [one, , three] = c2cKeys;
    assert.ok(one !== undefined && three !== undefined);
    await s.ok('openim/modify_c2c_msg', { From_Account: one.from, To_Account: one.to, MsgKey: one.key, MsgBody: text('one, modified'), CloudCustomData: 'edited' });
    await s.ok('openim/admin_msgwithdraw', { From_Account: three.from, To_Account: three.to, MsgKey: three.key });
    await s.ok('openim/modify_group_msg', { GroupId: groupId, MsgSeq: groupSeqs[0], MsgBody: text('g one, modified') });
    await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: groupSeqs[1] }] });
    s.clock.unfreeze();
  });
  after(() => s.close());

  /** Every one-to-one message of the hour as admin_getroammsg shows it, recalled ones left out, in the archive's order. */
  async function roamingOfTheHour(): Promise<Record<string, unknown>[]> {
    const pairs = [
      ['alice', 'bob'],
      ['alice', 'carol'],
      ['bob', 'carol'],
    ];
    const lines: Record<string, unknown>[] = [];
    for (const [owner, peer] of pairs) {
      const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: hour, MaxTime: hour + 3599 });
      assert.equal(r['Complete'], 1);
      for (const m of r['MsgList'] as Record<string, unknown>[]) {
        if (m['MsgFlagBits'] !== 0) continue;
        lines.push({
          From_Account: m['From_Account'],
          To_Account: m['To_Account'],
          MsgSeq: m['MsgSeq'],
          MsgRandom: m['MsgRandom'],
          MsgTimeStamp: m['MsgTimeStamp'],
          MsgKey: m['MsgKey'],
          MsgBody: m['MsgBody'],
          CloudCustomData: m['CloudCustomData'],
        });
      }
    }
    const key = (l: Record<string, unknown>) => [l['MsgTimeStamp'], l['From_Account'], l['To_Account'], l['MsgSeq'], l['MsgRandom']] as const;
    return lines.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number | string) < (y[i] as number | string) ? -1 : 1;
      return 0;
    });
  }

  test('the one-to-one archive holds the hour as admin_getroammsg shows it: modified as it now stands, recalled left out', async () => {
    const reply = await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: msgTime });
    const file = onlyFile(reply);
    assert.ok(file.URL.startsWith(`${s.url}/parley/v1/history/`), `the URL points back the way the caller came: ${file.URL}`);
    assert.match(file.ExpireTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const lines = await download(file);
    const expected = await roamingOfTheHour();
    assert.equal(expected.length, 7, 'seven messages of the hour are not recalled (the batch counts once per recipient)');
    assert.deepEqual(lines, expected);
    const texts = lines.map((l) => (l['MsgBody'] as { MsgContent: { Text: string } }[])[0]?.MsgContent.Text);
    assert.ok(texts.includes('one, modified') && !texts.includes('one'), 'the modified message comes as it now stands');
    assert.ok(!texts.includes('three'), 'the recalled message is left out');
    assert.ok(!texts.includes('before the hour') && !texts.includes('after the hour'), 'only the hour itself');
    assert.equal(lines.find((l) => l['CloudCustomData'] === 'edited')?.['MsgKey'], c2cKeys[0]?.key);
  });

  test('the group archive holds the hour as group_msg_get_simple shows it, with GroupId and TopicId', async () => {
    const file = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'Group', MsgTime: msgTime }));
    const lines = await download(file);
    const history = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 20 });
    const expected = (history['RspMsgList'] as Record<string, unknown>[])
      .filter((m) => m['IsPlaceMsg'] === 0 && (m['MsgTimeStamp'] as number) >= hour && (m['MsgTimeStamp'] as number) < hour + 3600)
      .reverse()
      .map((m) => ({
        GroupId: groupId,
        TopicId: '',
        From_Account: m['From_Account'],
        MsgSeq: m['MsgSeq'],
        MsgRandom: m['MsgRandom'],
        MsgTimeStamp: m['MsgTimeStamp'],
        MsgPriority: m['MsgPriority'],
        MsgBody: m['MsgBody'],
        CloudCustomData: m['CloudCustomData'],
      }));
    assert.equal(expected.length, 3, 'three group messages of the hour are not recalled');
    assert.deepEqual(lines, expected);
    assert.deepEqual(lines[0]?.['MsgBody'], text('g one, modified'));
  });

  test('a modification after a download shows in the next one; the old URL is then refused', async () => {
    const first = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: msgTime }));
    await download(first);
    const five = c2cKeys[4];
    assert.ok(five !== undefined);
    await s.ok('openim/modify_c2c_msg', { From_Account: five.from, To_Account: five.to, MsgKey: five.key, MsgBody: text('five, modified later') });
    const stale = await fetch(first.URL);
    assert.equal(stale.status, 410, 'the file changed since it was measured');
    assert.match(((await stale.json()) as { error: string }).error, /get_history again/);
    const second = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: msgTime }));
    assert.notEqual(second.GzipMD5, first.GzipMD5);
    const lines = await download(second);
    assert.deepEqual(lines.find((l) => l['MsgKey'] === five.key)?.['MsgBody'], text('five, modified later'));
    assert.deepEqual(lines, await roamingOfTheHour());
  });

  test('an expired URL is refused with 403; an altered one with 404', async () => {
    const file = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'Group', MsgTime: msgTime }));
    const url = new URL(file.URL);
    const token = url.pathname.slice('/parley/v1/history/'.length, -'.gz'.length);
    const parts = token.split('.');
    const altered = (i: number, value: string) => `${s.url}/parley/v1/history/${parts.map((p, j) => (j === i ? value : p)).join('.')}.gz`;
    // Another hour, a longer life, another file, a forged signature: none verifies.
    for (const forged of [altered(2, formatMsgTime(hour - 3600)), altered(3, String(Number(parts[3]) + 86_400)), altered(5, '0'.repeat(32)), altered(6, 'A'.repeat(43)), `${s.url}/parley/v1/history/${token}`, `${s.url}/parley/v1/history/nonsense.gz`]) {
      const r = await fetch(forged);
      assert.equal(r.status, 404, forged);
      await r.arrayBuffer();
    }
    assert.equal((await fetch(file.URL)).status, 200, 'good until it expires');
    s.clock.advance(3601);
    try {
      const r = await fetch(file.URL);
      assert.equal(r.status, 403);
      assert.match(((await r.json()) as { error: string }).error, /expired/);
    } finally {
      s.clock.advance(-3601);
    }
  });

  test('an hour without messages has no file', async () => {
    const reply = await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: formatMsgTime(hour - 2 * 3600) });
    assertOk(reply);
    assert.deepEqual(reply['File'], []);
  });

  test('MsgTime given as a number is read as its digits', async () => {
    const file = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'Group', MsgTime: Number(msgTime) }));
    assert.equal((await download(file)).length, 3);
  });

  test('bad input is refused with 20001 and an ErrorInfo that says what to send', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ MsgTime: msgTime }, /ChatType/],
      [{ ChatType: 'c2c', MsgTime: msgTime }, /ChatType/],
      [{ ChatType: 'GroupChat', MsgTime: msgTime }, /ChatType/],
      [{ ChatType: 1, MsgTime: msgTime }, /ChatType/],
      [{ ChatType: 'C2C' }, /MsgTime is required/],
      [{ ChatType: 'C2C', MsgTime: '2015-12-01 21' }, /YYYYMMDDHH/],
      [{ ChatType: 'C2C', MsgTime: msgTime.slice(0, 8) }, /YYYYMMDDHH/],
      [{ ChatType: 'C2C', MsgTime: `${msgTime.slice(0, 4)}0230${msgTime.slice(8)}` }, /not an hour/],
      [{ ChatType: 'C2C', MsgTime: `${msgTime.slice(0, 8)}24` }, /not an hour/],
      [{ ChatType: 'C2C', MsgTime: [msgTime] }, /not an hour/],
      [{ ChatType: 'C2C', MsgTime: formatMsgTime(now) }, /not over yet/],
      [{ ChatType: 'Group', MsgTime: formatMsgTime(now + 86_400) }, /not over yet/],
      [{ ChatType: 'C2C', MsgTime: formatMsgTime(hourStart(now) - 169 * 3600) }, /more than 7 days ago/],
      [{ ChatType: 'C2C', MsgTime: '2015120121' }, /more than 7 days ago/],
    ];
    for (const [body, info] of cases) {
      const r = await s.call('open_msg_svc/get_history', body);
      assertRefused(r, 20001);
      assert.match(r.ErrorInfo, info, JSON.stringify(body));
    }
    // The oldest hour still in the window answers.
    assertOk(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: formatMsgTime(hourStart(now) - 168 * 3600) }));
  });

  test('a file too large to hold streams; when it changed meanwhile, the connection is cut short of its length', async () => {
    // The same download route, told to start streaming after one byte instead of 8 MiB.
    const streaming = Fastify({ routerOptions: { maxParamLength: 500 } });
    mountHistoryDownloads(streaming, s.deps, { holdBytes: 1 });
    const base = await streaming.listen({ host: '127.0.0.1', port: 0 });
    try {
      // The hour after the archive's: its file must be large enough for gzip to answer in several chunks.
      const next = hour + 3600;
      at(next + 100);
      const bulky: string[] = [];
      for (let i = 0; i < 4; i++) bulky.push(await sendC2C('carol', 'bob', randomBytes(7000).toString('base64')));
      s.clock.unfreeze();
      const file = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: formatMsgTime(next) }));
      assert.ok(file.GzipSize > 16 * 1024, `more than one zlib chunk (16 KiB): ${file.GzipSize}`);
      const local = { ...file, URL: `${base}${new URL(file.URL).pathname}` };
      const lines = await download(local);
      assert.deepEqual(lines.map((l) => l['MsgKey']).filter((k) => bulky.includes(k as string)).sort(), [...bulky].sort(), 'an unchanged file streams whole');
      await s.ok('openim/modify_c2c_msg', { From_Account: 'carol', To_Account: 'bob', MsgKey: bulky[3], CloudCustomData: 'changed while a URL was out' });
      const response = await fetch(local.URL);
      assert.equal(response.status, 200, 'the first bytes went out before the change could be seen');
      await assert.rejects(response.arrayBuffer(), 'the body ends short of Content-Length');
    } finally {
      await streaming.close();
    }
  });

  test('a caller that is not an admin is refused with 60010', async () => {
    assertRefused(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: msgTime }, { identifier: 'alice' }), 60010);
  });
});

describe('open_msg_svc/get_history with PARLEY_PUBLIC_URL', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { PARLEY_PUBLIC_URL: 'https://chat.example.com/im/' } });
  });
  after(() => s.close());

  test('URLs are made under the public URL, whatever Host the caller used', async () => {
    await s.users('dora', 'eve');
    const hour = hourStart(Math.floor(Date.now() / 1000)) - 3600;
    s.clock.freeze((hour + 5) * 1000);
    await s.ok('openim/sendmsg', { From_Account: 'dora', To_Account: 'eve', MsgRandom: 1, MsgBody: text('hello') });
    s.clock.unfreeze();
    const file = onlyFile(await s.call('open_msg_svc/get_history', { ChatType: 'C2C', MsgTime: formatMsgTime(hour) }));
    assert.match(file.URL, /^https:\/\/chat\.example\.com\/im\/parley\/v1\/history\/[^/]+\.gz$/);
    // The same path on this server serves the file.
    const local = `${s.url}${new URL(file.URL).pathname.slice('/im'.length)}`;
    const lines = await download({ ...file, URL: local });
    assert.deepEqual(lines.map((l) => l['From_Account']), ['dora']);
  });
});

test('PARLEY_PUBLIC_URL must be an http(s) address without query, fragment or credentials; a trailing slash is dropped', () => {
  assert.equal(loadConfig({}).publicUrl, undefined);
  assert.equal(loadConfig({ PARLEY_PUBLIC_URL: 'https://chat.example.com/' }).publicUrl, 'https://chat.example.com');
  assert.equal(loadConfig({ PARLEY_PUBLIC_URL: 'http://10.0.0.5:8080/im//' }).publicUrl, 'http://10.0.0.5:8080/im');
  for (const bad of ['chat.example.com', 'ftp://chat.example.com', 'https://chat.example.com/?a=1', 'https://chat.example.com/#x', 'https://u:p@chat.example.com']) {
    assert.throws(() => loadConfig({ PARLEY_PUBLIC_URL: bad }), ConfigError, bad);
  }
});
