import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { createMemoryBus } from '../src/bus/memory.js';
import { loadConfig } from '../src/config.js';
import { type Deps, randomIds, systemClock } from '../src/deps.js';
import { createMemoryRateLimiter } from '../src/gateway/rate-limit.js';
import { openMemoryRealtime } from '../src/realtime/open.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { queryTestSchema } from './pg.js';
import { signUserSig } from '../src/usersig/sign.js';
import { assertOk, assertRefused, callApi, type Reply, startServer, TEST_APP, type TestServer, tempDir, testClock, text, userSig } from './helpers.js';

// The gateway of decisions.md §2 and the account APIs of §3, through real HTTP: every gateway
// error, the body rules, the frequency limit, internal failures, health, logs, and the account
// APIs' happy paths and limits.

const IMPORT = 'im_open_login_svc/account_import';
const MULTI = 'im_open_login_svc/multiaccount_import';
const DELETE = 'im_open_login_svc/account_delete';
const CHECK = 'im_open_login_svc/account_check';
const SEND = 'openim/sendmsg';
const ROAM = 'openim/admin_getroammsg';
const MIB = 1024 * 1024;

/** The full query string of an admin call. */
function adminQuery(identifier = 'administrator'): string {
  return `sdkappid=${TEST_APP.sdkappid}&identifier=${identifier}&usersig=${userSig(identifier)}&random=12345&contenttype=json`;
}

/** AccountStatus of each UserID, via account_check. */
async function statuses(s: TestServer, ...ids: string[]): Promise<string[]> {
  const r = await s.call(CHECK, { CheckItem: ids.map((UserID) => ({ UserID })) });
  assertOk(r);
  return (r['ResultItem'] as { AccountStatus: string }[]).map((i) => i.AccountStatus);
}

function roam(peer = 'admin2'): Record<string, unknown> {
  return { Operator_Account: 'administrator', Peer_Account: peer, MaxCnt: 10, MinTime: 0, MaxTime: 4294967295 };
}

describe('gateway: URL, method and query parameters', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('unknown API → 60009, before any other check', async () => {
    assertRefused(await s.call('openim/no_such_command', {}), 60009);
    assertRefused(await s.call('no_such_svc/sendmsg', {}), 60009);
    assertRefused(await s.call('im_open_login_svc/sendmsg', {}), 60009);
    assertRefused(await s.call('openim/account_import', { UserID: 'x' }), 60009);
    assertRefused(await s.call('openim/SENDMSG', {}), 60009);
    // Unknown wins over a wrong method, missing parameters and a bad UserSig.
    assertRefused(await s.call('openim/no_such_command', {}, { method: 'GET', query: { sdkappid: undefined, usersig: 'garbage!' } }), 60009);
  });

  test('a URL under /v4/ that is not /v4/{service}/{command} → HTTP 200 with 60009', async () => {
    for (const path of ['/v4/openim', '/v4/openim/sendmsg/extra']) {
      const response = await fetch(`${s.url}${path}?${adminQuery()}`, { method: 'POST', body: '{}' });
      const body = await response.text();
      assert.equal(response.status, 200, `${path}: HTTP ${response.status} ${body.slice(0, 120)}`);
      assertRefused(JSON.parse(body) as Reply, 60009);
    }
  });

  test('GET, PUT or DELETE instead of POST → 60002', async () => {
    assertRefused(await s.call(CHECK, undefined, { method: 'GET' }), 60002);
    assertRefused(await s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }, { method: 'PUT' }), 60002);
    assertRefused(await s.call(SEND, {}, { method: 'DELETE' }), 60002);
    assertRefused(await s.call(SEND, undefined, { method: 'GET' }), 60002);
  });

  test('a GET that would import an account has no effect', async () => {
    const response = await fetch(`${s.url}/v4/${IMPORT}?${adminQuery()}&UserID=via_get`, { method: 'GET' });
    assertRefused((await response.json()) as Reply, 60002);
    assert.deepEqual(await statuses(s, 'via_get'), ['NotImported']);
  });

  test('contenttype other than json → 60002; left out → accepted', async () => {
    const body = { CheckItem: [{ UserID: 'administrator' }] };
    assertRefused(await s.call(CHECK, body, { query: { contenttype: 'xml' } }), 60002);
    assertRefused(await s.call(SEND, {}, { query: { contenttype: 'xml' } }), 60002);
    assertRefused(await s.call(CHECK, body, { query: { contenttype: 'form' } }), 60002);
    assertOk(await s.call(CHECK, body, { query: { contenttype: undefined } }));
    assertOk(await s.call(CHECK, body, { query: { contenttype: 'json' } }));
  });

  test('random not a u32 → 60002; 0, 4294967295 or left out → accepted', async () => {
    const body = { CheckItem: [{ UserID: 'administrator' }] };
    for (const random of ['abc', '-1', '4294967296', '1.5', '1e3', '99999999999', ' 1']) {
      assertRefused(await s.call(CHECK, body, { query: { random } }), 60002);
    }
    assertRefused(await s.call(SEND, {}, { query: { random: 'abc' } }), 60002);
    for (const random of ['0', '4294967295', undefined]) assertOk(await s.call(CHECK, body, { query: { random } }));
  });

  test('sdkappid missing → 60012; not served here → 60006', async () => {
    const body = { CheckItem: [{ UserID: 'administrator' }] };
    assertRefused(await s.call(CHECK, body, { query: { sdkappid: undefined } }), 60012);
    assertRefused(await s.call(SEND, {}, { query: { sdkappid: undefined } }), 60012);
    assertRefused(await s.call(CHECK, body, { query: { sdkappid: '' } }), 60012);
    for (const sdkappid of ['1400000001', '0', 'abc', '-1400123456', '99999999999']) {
      assertRefused(await s.call(CHECK, body, { query: { sdkappid } }), 60006);
    }
    assertRefused(await s.call(SEND, {}, { query: { sdkappid: '1400000001' } }), 60006);
  });

  test('identifier or usersig missing → 60004', async () => {
    const body = { CheckItem: [{ UserID: 'administrator' }] };
    assertRefused(await s.call(CHECK, body, { query: { identifier: undefined } }), 60004);
    assertRefused(await s.call(CHECK, body, { query: { usersig: undefined } }), 60004);
    assertRefused(await s.call(CHECK, body, { query: { identifier: undefined, usersig: undefined } }), 60004);
    assertRefused(await s.call(SEND, {}, { query: { usersig: undefined } }), 60004);
    assertRefused(await s.call(SEND, {}, { query: { identifier: '' } }), 60004);
  });

  test('a valid UserSig of a non-admin → 90009 for openim, 60010 for im_open_login_svc; the call has no effect', async () => {
    await s.users('plain_user', 'peer_user');
    const asUser = { identifier: 'plain_user' };
    assertRefused(await s.call(SEND, { From_Account: 'plain_user', To_Account: 'peer_user', MsgRandom: 1, MsgBody: text('hi') }, asUser), 90009);
    assertRefused(await s.call(ROAM, { ...roam('peer_user'), Operator_Account: 'plain_user' }, asUser), 90009);
    assertRefused(await s.call('openim/modify_c2c_msg', {}, asUser), 90009);
    assertRefused(await s.call(IMPORT, { UserID: 'sneaky' }, asUser), 60010);
    assertRefused(await s.call(CHECK, { CheckItem: [{ UserID: 'plain_user' }] }, asUser), 60010);
    assertRefused(await s.call(DELETE, { DeleteItem: [{ UserID: 'peer_user' }] }, asUser), 60010);
    // Not imported at all: still a valid UserSig, still not an admin.
    assertRefused(await s.call(IMPORT, { UserID: 'sneaky' }, { identifier: 'nobody_here' }), 60010);
    assert.deepEqual(await statuses(s, 'sneaky', 'peer_user'), ['NotImported', 'Imported']);
    const history = await s.ok(ROAM, roam('peer_user'));
    assert.deepEqual(history['MsgList'], []);
  });

});

describe('gateway: request bodies', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.users('body_from', 'body_to');
  });
  after(() => s.close());

  /** A body that succeeds with `value` in a free-text field (Nick; a message's Text). */
  const accountBody = (value: string): string => `{"UserID":"body_test","Nick":${value}}`;
  const sendBody = (value: string): string =>
    `{"From_Account":"body_from","To_Account":"body_to","MsgRandom":7,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":${value}}}]}`;

  const BAD: Record<string, (template: (value: string) => string) => string | Buffer> = {
    'not JSON': (t) => t('"unterminated'),
    'JSON with a trailing comma': (t) => `${t('"x"').slice(0, -1)},}`,
    'a JSON array': (t) => `[${t('"x"')}]`,
    'a JSON string': () => '"a string"',
    'a JSON number': () => '42',
    'JSON null': () => 'null',
    'JSON true': () => 'true',
    'an empty body': () => '',
    'only whitespace': () => '  \n ',
    'bad UTF-8 bytes': (t) => {
      const [head, tail] = t('"@@"').split('@@');
      return Buffer.concat([Buffer.from(`${head}a`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`b${tail}`)]);
    },
    'an overlong UTF-8 encoding': (t) => {
      const [head, tail] = t('"@@"').split('@@');
      return Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xc0, 0xaf]), Buffer.from(tail ?? '')]);
    },
    'a lone high surrogate escape "\\ud800"': (t) => t('"a\\ud800b"'),
    'a lone low surrogate escape "\\udc00"': (t) => t('"\\udc00"'),
    'surrogates in the wrong order': (t) => t('"\\ude00\\ud83d"'),
    'a lone surrogate escape in a key': (t) => t('{"\\ud800":1}'),
    'a __proto__ key': (t) => t('"x"').replace('{', '{"__proto__":{"polluted":true},'),
    'a __proto__ key written with escapes': (t) => t('"x"').replace('{', '{"\\u005f_proto__":{"polluted":true},'),
    'a nested __proto__ key': (t) => t('{"__proto__":{"polluted":true}}'),
    'a constructor.prototype key': (t) => t('"x"').replace('{', '{"constructor":{"prototype":{"polluted":true}},'),
  };

  for (const [name, make] of Object.entries(BAD)) {
    test(`${name} → 60003 for im_open_login_svc, 90001 for openim`, async () => {
      const account = make(accountBody);
      const send = make(sendBody);
      assertRefused(await s.call(IMPORT, undefined, { raw: account }), 60003);
      assertRefused(await s.call(SEND, undefined, { raw: send }), 90001);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype was polluted');
    });
  }

  test('nothing above had an effect; the same bodies with valid text succeed (the cases were refused for their defect alone)', async () => {
    assert.deepEqual(await statuses(s, 'body_test'), ['NotImported']);
    assert.deepEqual((await s.ok(ROAM, { ...roam('body_to'), Operator_Account: 'body_from' }))['MsgList'], []);
    // A well-formed surrogate pair is fine, escaped or not.
    assertOk(await s.call(IMPORT, undefined, { raw: accountBody('"\\ud83d\\ude00 😀"') }));
    assertOk(await s.call(SEND, undefined, { raw: sendBody('"\\ud83d\\ude00 😀"') }));
  });

  test('a body over 1 MiB → 60003 / 90001, and the server answers the next call', async () => {
    const prefix = '{"UserID":"mib_test","Nick":"';
    const exact = `${prefix}${'n'.repeat(MIB - prefix.length - 2)}"}`;
    assert.equal(Buffer.byteLength(exact), MIB);
    const over = `${prefix}${'n'.repeat(MIB - prefix.length - 1)}"}`;
    assert.equal(Buffer.byteLength(over), MIB + 1);
    assertRefused(await s.call(IMPORT, undefined, { raw: over }), 60003);
    assert.deepEqual(await statuses(s, 'mib_test'), ['NotImported']);
    assertRefused(await s.call(SEND, undefined, { raw: `{"MsgBody":"${'x'.repeat(2 * MIB)}"}` }), 90001);
    assertOk(await s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }));
    // Exactly 1 MiB is within the limit.
    assertOk(await s.call(IMPORT, undefined, { raw: exact }));
    assert.deepEqual(await statuses(s, 'mib_test'), ['Imported']);
  });

  test('a chunked body (no Content-Length) that grows past 1 MiB → 60003 / 90001', async () => {
    for (const [api, code] of [[IMPORT, 60003], [SEND, 90001]] as const) {
      let sent = 0;
      const chunk = new Uint8Array(64 * 1024).fill(0x20);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 3 * MIB) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${s.url}/v4/${api}?${adminQuery()}`, { method: 'POST', body, duplex: 'half' } as RequestInit);
      assert.equal(response.status, 200);
      assertRefused((await response.json()) as Reply, code);
    }
    assertOk(await s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }));
  });

  test('100k nested arrays inside a field (under 1 MiB) get the field\'s error and the server keeps serving', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    assert.ok(deep.length < MIB && deepObject.length < MIB);
    assertRefused(await s.call(IMPORT, undefined, { raw: accountBody(deep) }), 70402);
    assertRefused(await s.call(IMPORT, undefined, { raw: accountBody(deepObject) }), 70402);
    const checked = await s.call(CHECK, undefined, { raw: `{"CheckItem":${deep}}` });
    assert.deepEqual((checked['ResultItem'] as { ResultCode: number }[]).map((i) => i.ResultCode), [70402]);
    assert.deepEqual((await s.call(MULTI, undefined, { raw: `{"Accounts":${deep}}` }))['FailAccounts'], ['']);
    assertRefused(await s.call(SEND, undefined, { raw: sendBody(deep) }), 90002);
    assertRefused(await s.call(SEND, undefined, { raw: sendBody(deepObject) }), 90002);
    assertRefused(await s.call(SEND, undefined, { raw: `{"From_Account":"body_from","To_Account":"body_to","MsgRandom":8,"MsgBody":${deep}}` }), 90002);
    assertRefused(
      await s.call(SEND, undefined, { raw: `{"From_Account":"body_from","To_Account":"body_to","MsgRandom":9,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}],"CloudCustomData":${deep}}` }),
      90010,
    );
    // Deep bodies that also hold a body defect at the bottom are refused as bodies.
    const deepSurrogate = `${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`;
    assertRefused(await s.call(IMPORT, undefined, { raw: accountBody(deepSurrogate) }), 60003);
    assertRefused(await s.call(SEND, undefined, { raw: sendBody(deepSurrogate) }), 90001);
    const deepProto = `${'{"a":'.repeat(50_000)}{"__proto__":{"polluted":true}}${'}'.repeat(50_000)}`;
    assertRefused(await s.call(IMPORT, undefined, { raw: accountBody(deepProto) }), 60003);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assertOk(await s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }));
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
  });
});

describe('account APIs: invalid parameters → 70402', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const cases: [string, string, unknown][] = [
    // account_import
    ['account_import: empty object', IMPORT, {}],
    ['account_import: UserID a number', IMPORT, { UserID: 123 }],
    ['account_import: UserID beyond u32', IMPORT, { UserID: 4294967296 }],
    ['account_import: UserID negative', IMPORT, { UserID: -1 }],
    ['account_import: UserID null (null is absent, and UserID is required)', IMPORT, { UserID: null }],
    ['account_import: Identifier (the older name of UserID) invalid', IMPORT, { Identifier: 'has space' }],
    ['account_import: UserID an array', IMPORT, { UserID: ['bad_a'] }],
    ['account_import: UserID an object', IMPORT, { UserID: { UserID: 'bad_a' } }],
    ['account_import: Nick a number', IMPORT, { UserID: 'bad_a', Nick: 5 }],
    ['account_import: FaceUrl an object', IMPORT, { UserID: 'bad_a', FaceUrl: {} }],
    // multiaccount_import
    ['multiaccount_import: empty object', MULTI, {}],
    ['multiaccount_import: Accounts a string', MULTI, { Accounts: 'bad_a' }],
    ['multiaccount_import: Accounts empty', MULTI, { Accounts: [] }],
    ['multiaccount_import: Accounts and AccountList both', MULTI, { Accounts: ['bad_a'], AccountList: [{ UserID: 'bad_b' }] }],
    // account_delete
    ['account_delete: empty object', DELETE, {}],
    ['account_delete: DeleteItem a string', DELETE, { DeleteItem: 'administrator' }],
    ['account_delete: DeleteItem empty', DELETE, { DeleteItem: [] }],
    // account_check
    ['account_delete: 101 items', DELETE, { DeleteItem: Array.from({ length: 101 }, (_, i) => ({ UserID: `d${i}` })) }],
    ['account_check: empty object', CHECK, {}],
    ['account_check: CheckItem a string', CHECK, { CheckItem: 'administrator' }],
    ['account_check: CheckItem empty', CHECK, { CheckItem: [] }],
    ['account_check: 101 items', CHECK, { CheckItem: Array.from({ length: 101 }, (_, i) => ({ UserID: `c${i}` })) }],
  ];
  for (const [name, api, body] of cases) {
    test(name, async () => {
      assertRefused(await s.call(api, body), 70402);
    });
  }

  const INVALID_IDS: [string, string][] = [
    ['33 bytes', 'u'.repeat(33)],
    ['empty', ''],
    ['a space inside', 'has space'],
    ['a leading space', ' lead'],
    ['a trailing space', 'trail '],
    ['a tab', 'tab\there'],
    ['a newline', 'new\nline'],
    ['DEL (0x7f)', 'del\u007f'],
    ['a NUL byte', 'nul\u0000'],
    ['non-ASCII Latin', 'ünïcode'],
    ['CJK', '用户'],
    ['an emoji', 'smile😀'],
    ['non-ASCII making it over 32 bytes', 'é'.repeat(17)],
  ];
  for (const [name, id] of INVALID_IDS) {
    test(`invalid UserID (${name}): account_import → 70402; the list APIs answer for that item alone`, async () => {
      assertRefused(await s.call(IMPORT, { UserID: id }), 70402);
      assertRefused(await s.call(IMPORT, { Identifier: id }), 70402);
      const multi = await s.call(MULTI, { Accounts: ['valid_with_bad', id] });
      assertOk(multi);
      assert.deepEqual(multi['FailAccounts'], [id]);
      const list = await s.call(MULTI, { AccountList: [{ UserID: 'valid_in_list' }, { UserID: id }] });
      assertOk(list);
      assert.deepEqual(list['FailAccounts'], [id]);
      const deleted = await s.call(DELETE, { DeleteItem: [{ UserID: id }] });
      assertOk(deleted);
      const [item] = deleted['ResultItem'] as { ResultCode: number; ResultInfo: string; UserID: string }[];
      assert.equal(item?.ResultCode, 70402);
      assert.equal(item?.UserID, id);
      assert.match(item?.ResultInfo ?? '', /DeleteItem\[0\]/);
      const checked = await s.call(CHECK, { CheckItem: [{ UserID: id }, { UserID: 'administrator' }] });
      assertOk(checked);
      const [bad, good] = checked['ResultItem'] as { ResultCode: number; AccountStatus: string; UserID: string }[];
      assert.deepEqual([bad?.ResultCode, bad?.AccountStatus, bad?.UserID], [70402, 'NotImported', id]);
      assert.deepEqual([good?.ResultCode, good?.AccountStatus], [0, 'Imported']);
    });
  }

  test('none of the refused calls or items above imported anything; the valid items beside them were imported', async () => {
    assert.deepEqual(await statuses(s, 'bad_a', 'bad_b'), ['NotImported', 'NotImported']);
    assert.deepEqual(await statuses(s, 'valid_with_bad', 'valid_in_list'), ['Imported', 'Imported']);
  });

  test('malformed items of every list API are answered per item, beside good ones', async () => {
    const multi = await s.call(MULTI, { Accounts: ['item_ok_1', 4294967296, null, { UserID: 'x' }] });
    assertOk(multi);
    assert.deepEqual(multi['FailAccounts'], ['4294967296', 'null', 'x']);
    const list = await s.call(MULTI, { AccountList: [{ UserID: 'item_ok_2' }, { Nick: 'n' }, { UserID: 'nick_bad', Nick: 1 }, 'as_string'] });
    assertOk(list);
    assert.deepEqual(list['FailAccounts'], ['', 'nick_bad', 'as_string']);
    assert.deepEqual(await statuses(s, 'item_ok_1', 'item_ok_2', 'nick_bad'), ['Imported', 'Imported', 'NotImported']);
    for (const [api, field] of [[DELETE, 'DeleteItem'], [CHECK, 'CheckItem']] as const) {
      const r = await s.call(api, { [field]: ['as_string', { UserID: 4294967296 }, {}, { UserID: 1.5 }] });
      assertOk(r);
      const items = r['ResultItem'] as { ResultCode: number; ResultInfo: string; UserID: string }[];
      assert.deepEqual(items.map((i) => i.ResultCode), [70402, 70402, 70402, 70402], `${api}: ${JSON.stringify(items)}`);
      assert.deepEqual(items.map((i) => i.UserID), ['as_string', '4294967296', '', '1.5']);
      assert.ok(items.every((i) => i.ResultInfo.includes(`${field}[`)));
    }
  });

  test('the edges of a valid UserID: 32 bytes, 1 byte, any printable ASCII', async () => {
    const ids = ['u'.repeat(32), 'x', '!#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '@TGS#not_a_group', 'A1-_.'];
    for (const id of ids) assertOk(await s.call(IMPORT, { UserID: id }));
    assert.deepEqual(await statuses(s, ...ids), ids.map(() => 'Imported'));
  });
});

describe('account APIs', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  /** Nick and FaceUrl as stored; no Tencent API in parley reads a profile back yet. */
  async function profile(userId: string): Promise<{ nick: string; face_url: string } | undefined> {
    const sql = 'SELECT nick, face_url FROM accounts WHERE app = $1 AND user_id = $2';
    if (s.schema !== undefined) return (await queryTestSchema(s.schema, sql, [TEST_APP.sdkappid, userId]))[0] as { nick: string; face_url: string } | undefined;
    const db = new Database(join(s.dataDir, 'parley.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql.replace(/\$\d/g, '?')).get(TEST_APP.sdkappid, userId) as { nick: string; face_url: string } | undefined;
    } finally {
      db.close();
    }
  }

  test('account_import: success is the bare envelope; importing again succeeds and updates Nick and FaceUrl', async () => {
    assert.deepEqual(await s.call(IMPORT, { UserID: 'imp_1' }), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
    assert.deepEqual(await statuses(s, 'imp_1'), ['Imported']);
    assert.deepEqual(await s.call(IMPORT, { UserID: 'imp_1', Nick: 'First', FaceUrl: 'http://example.com/1.png' }), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
    assert.deepEqual(await profile('imp_1'), { nick: 'First', face_url: 'http://example.com/1.png' });
    assertOk(await s.call(IMPORT, { UserID: 'imp_1', Nick: 'Second 二', FaceUrl: 'http://example.com/2.png' }));
    assert.deepEqual(await profile('imp_1'), { nick: 'Second 二', face_url: 'http://example.com/2.png' });
    assert.deepEqual(await statuses(s, 'imp_1'), ['Imported']);
  });

  test('multiaccount_import with Accounts: FailAccounts is []; re-importing is fine', async () => {
    assert.deepEqual(await s.call(MULTI, { Accounts: ['ma_1', 'ma_2', 'ma_3'] }), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', FailAccounts: [] });
    assert.deepEqual(await statuses(s, 'ma_1', 'ma_2', 'ma_3', 'ma_4'), ['Imported', 'Imported', 'Imported', 'NotImported']);
    assert.deepEqual(await s.call(MULTI, { Accounts: ['ma_1', 'ma_4'] }), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', FailAccounts: [] });
    assert.deepEqual(await statuses(s, 'ma_4'), ['Imported']);
  });

  test('multiaccount_import with AccountList: profiles are stored', async () => {
    const r = await s.call(MULTI, { AccountList: [{ UserID: 'al_1', Nick: 'Al', FaceUrl: 'http://example.com/al.png' }, { UserID: 'al_2' }] });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', FailAccounts: [] });
    assert.deepEqual(await statuses(s, 'al_1', 'al_2'), ['Imported', 'Imported']);
    assert.deepEqual(await profile('al_1'), { nick: 'Al', face_url: 'http://example.com/al.png' });
  });

  test('multiaccount_import: 100 accounts are fine, 101 → 70402 and none is imported', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `h100_${i}`);
    assertOk(await s.call(MULTI, { Accounts: hundred }));
    assert.ok((await statuses(s, ...hundred)).every((st) => st === 'Imported'));
    const over = Array.from({ length: 101 }, (_, i) => `h101_${i}`);
    assertRefused(await s.call(MULTI, { Accounts: over }), 70402);
    assertRefused(await s.call(MULTI, { AccountList: over.map((UserID) => ({ UserID })) }), 70402);
    assert.ok((await statuses(s, ...over.slice(0, 100))).every((st) => st === 'NotImported'));
  });

  test('account_delete: ResultItem per account; not imported → ResultCode 70107', async () => {
    await s.users('del_1', 'del_2');
    const r = await s.call(DELETE, { DeleteItem: [{ UserID: 'del_1' }, { UserID: 'del_2' }, { UserID: 'never_imported' }] });
    assertOk(r);
    assert.deepEqual(Object.keys(r).sort(), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'ResultItem']);
    const items = r['ResultItem'] as { ResultCode: number; ResultInfo: string; UserID: string }[];
    assert.equal(items.length, 3);
    assert.deepEqual(items[0], { ResultCode: 0, ResultInfo: '', UserID: 'del_1' });
    assert.deepEqual(items[1], { ResultCode: 0, ResultInfo: '', UserID: 'del_2' });
    assert.equal(items[2]?.UserID, 'never_imported');
    assert.equal(items[2]?.ResultCode, 70107);
    assert.ok((items[2]?.ResultInfo.length ?? 0) > 0);
    // Deleting again: no longer imported.
    const again = await s.call(DELETE, { DeleteItem: [{ UserID: 'del_1' }] });
    assertOk(again);
    assert.equal((again['ResultItem'] as { ResultCode: number }[])[0]?.ResultCode, 70107);
  });

  test('account_check: Imported / NotImported, also after delete and re-import', async () => {
    await s.users('chk_1', 'chk_2');
    const r = await s.call(CHECK, { CheckItem: [{ UserID: 'chk_1' }, { UserID: 'chk_none' }] });
    assert.deepEqual(r, {
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ResultItem: [
        { UserID: 'chk_1', ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
        { UserID: 'chk_none', ResultCode: 0, ResultInfo: '', AccountStatus: 'NotImported' },
      ],
    });
    assertOk(await s.call(DELETE, { DeleteItem: [{ UserID: 'chk_1' }] }));
    assert.deepEqual(await statuses(s, 'chk_1', 'chk_2'), ['NotImported', 'Imported']);
    assertOk(await s.call(IMPORT, { UserID: 'chk_1' }));
    assert.deepEqual(await statuses(s, 'chk_1'), ['Imported']);
  });

  test('a deleted account can no longer send (90008) or receive (90012)', async () => {
    await s.users('gone_1', 'stay_1');
    assertOk(await s.call(SEND, { From_Account: 'gone_1', To_Account: 'stay_1', MsgRandom: 1, MsgBody: text('before') }));
    assertOk(await s.call(DELETE, { DeleteItem: [{ UserID: 'gone_1' }] }));
    assertRefused(await s.call(SEND, { From_Account: 'gone_1', To_Account: 'stay_1', MsgRandom: 2, MsgBody: text('after') }), 90008);
    assertRefused(await s.call(SEND, { From_Account: 'stay_1', To_Account: 'gone_1', MsgRandom: 3, MsgBody: text('after') }), 90012);
  });

  test('account_delete and account_check: 100 items are fine, 101 → 70402', async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ UserID: `lim_${i}` }));
    assertOk(await s.call(CHECK, { CheckItem: items(100) }));
    assertRefused(await s.call(CHECK, { CheckItem: items(101) }), 70402);
    await s.users('lim_0');
    assertRefused(await s.call(DELETE, { DeleteItem: items(101) }), 70402);
    assert.deepEqual(await statuses(s, 'lim_0'), ['Imported']);
    assertOk(await s.call(DELETE, { DeleteItem: items(100) }));
    assert.deepEqual(await statuses(s, 'lim_0'), ['NotImported']);
  });

  test('deleting an app admin is refused for that item, the others are deleted, and the admin keeps working', async () => {
    await s.users('del_beside_admin');
    const r = await s.call(DELETE, { DeleteItem: [{ UserID: 'admin2' }, { UserID: 'del_beside_admin' }] });
    assertOk(r);
    const [admin, other] = r['ResultItem'] as { ResultCode: number; ResultInfo: string; UserID: string }[];
    assert.deepEqual([admin?.UserID, admin?.ResultCode], ['admin2', 70402]);
    assert.match(admin?.ResultInfo ?? '', /admin/);
    assert.deepEqual(other, { ResultCode: 0, ResultInfo: '', UserID: 'del_beside_admin' });
    const mine = await s.call(DELETE, { DeleteItem: [{ UserID: 'administrator' }] });
    assert.equal((mine['ResultItem'] as { ResultCode: number }[])[0]?.ResultCode, 70402);
    assert.deepEqual(await statuses(s, 'del_beside_admin'), ['NotImported']);
    assert.deepEqual(await statuses(s, 'administrator', 'admin2'), ['Imported', 'Imported']);
    assertOk(await s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }, { identifier: 'admin2' }));
  });
});

describe('frequency limit (PARLEY_RATE_LIMIT=5)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { PARLEY_RATE_LIMIT: '5' } });
  });
  after(() => s.close());

  test('the 6th call of one API within a second → 60007; another API still works; the refused call had no effect', async () => {
    const check = () => s.call(CHECK, { CheckItem: [{ UserID: 'administrator' }] });
    for (let i = 0; i < 5; i++) assertOk(await check());
    assertRefused(await check(), 60007);
    // Counted per API: others are untouched.
    assertOk(await s.call(IMPORT, { UserID: 'rl_0' }));
    assertOk(await s.call(ROAM, roam()));
    for (let i = 1; i < 5; i++) assertOk(await s.call(IMPORT, { UserID: `rl_${i}` }));
    assertRefused(await s.call(IMPORT, { UserID: 'rl_ghost' }), 60007);
    assertRefused(await s.call(IMPORT, { UserID: 'rl_ghost' }), 60007);
    // A rolling second later, the limit has room again, and rl_ghost was never imported.
    s.clock.advance(1.01);
    assert.deepEqual(await statuses(s, 'rl_0', 'rl_4', 'rl_ghost'), ['Imported', 'Imported', 'NotImported']);
    assertOk(await s.call(IMPORT, { UserID: 'rl_ghost' }));
    assert.deepEqual(await statuses(s, 'rl_ghost'), ['Imported']);
  });

  test('a refused send stores nothing', async () => {
    s.clock.advance(2);
    await s.users('rl_from', 'rl_to');
    const send = (n: number) => s.call(SEND, { From_Account: 'rl_from', To_Account: 'rl_to', MsgRandom: n, MsgBody: text(`m${n}`) });
    for (let i = 0; i < 5; i++) assertOk(await send(i));
    assertRefused(await send(99), 60007);
    s.clock.advance(2);
    const history = await s.ok(ROAM, { ...roam('rl_to'), Operator_Account: 'rl_from' });
    assert.equal((history['MsgList'] as unknown[]).length, 5);
  });
});

describe('internal failures and health', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.users('int_from', 'int_to');
  });
  after(() => s.close());

  test('GET /healthz → 200 {"status":"ok"} while the store is up', async () => {
    const response = await fetch(`${s.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  test('with the store closed: openim → 91000, account APIs → 70500, each with a request id; /healthz → 503', async () => {
    await s.deps.store.close();
    const failures = [
      [await s.call(SEND, { From_Account: 'int_from', To_Account: 'int_to', MsgRandom: 1, MsgBody: text('x') }), 91000],
      [await s.call(ROAM, roam('int_to')), 91000],
      [await s.call(IMPORT, { UserID: 'int_new' }), 70500],
      [await s.call(MULTI, { Accounts: ['int_new'] }), 70500],
      [await s.call(CHECK, { CheckItem: [{ UserID: 'int_from' }] }), 70500],
      [await s.call(DELETE, { DeleteItem: [{ UserID: 'int_from' }] }), 70500],
    ] as const;
    const ids = new Set<string>();
    for (const [r, code] of failures) {
      assertRefused(r, code);
      const id = /request id ([0-9A-Za-z-]+)/.exec(r.ErrorInfo)?.[1];
      assert.ok(id !== undefined, `no request id in "${r.ErrorInfo}"`);
      ids.add(id);
      assert.doesNotMatch(r.ErrorInfo, /\n|\bat \S+ \(|sqlite|database|TypeError|Error:/i, 'no stack trace or internals');
    }
    assert.equal(ids.size, failures.length, 'each failure has its own request id');
    // Gateway checks still answer as usual.
    assertRefused(await s.call(IMPORT, { UserID: 'x' }, { query: { usersig: 'garbage!' } }), 70003);
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 503);
  });
});

describe('logs never hold a UserSig', () => {
  test('requests of every outcome, logged at trace level, leave no usersig in the log', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const store = openSqliteStore(dataDir);
    const deps: Deps = {
      config: loadConfig({ PARLEY_DATA_DIR: dataDir, PARLEY_RATE_LIMIT: '1', PARLEY_PORT: '0' }),
      apps: { defaultApp: TEST_APP, bySdkAppId: new Map([[TEST_APP.sdkappid, TEST_APP]]), generatedKey: false },
      store,
      bus: createMemoryBus(() => undefined),
      realtime: openMemoryRealtime(systemClock, loadConfig({}).events),
      limiter: createMemoryRateLimiter(),
      clock: testClock(),
      ids: randomIds,
      logger,
    };
    await store.importAccounts(TEST_APP.sdkappid, [{ userId: 'administrator' }, { userId: 'admin2' }]);
    const app = createApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(typeof address === 'object' && address !== null);
    const url = `http://127.0.0.1:${address.port}`;
    const sigs: string[] = [];
    const sig = (identifier = 'administrator', key = TEST_APP.secretKey): string => {
      const made = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier, time: Math.floor(Date.now() / 1000), expire: 86_400 + sigs.length }, key);
      sigs.push(made);
      return made;
    };
    try {
      const call = (api: string, body: unknown, usersig: string, identifier = 'administrator', raw?: string) =>
        callApi(url, api, body, { identifier, query: { usersig }, ...(raw === undefined ? {} : { raw }) });
      assertOk(await call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }, sig()));
      assertRefused(await call(CHECK, { CheckItem: [{ UserID: 'administrator' }] }, sig()), 60007);
      assertRefused(await call(IMPORT, { UserID: 'x' }, sig('administrator', 'another key')), 70009);
      assertRefused(await call(IMPORT, { UserID: 'x' }, sig('plain_user'), 'plain_user'), 60010);
      assertRefused(await call(IMPORT, undefined, sig(), 'administrator', '{not json'), 60003);
      assertRefused(await call(SEND, undefined, sig(), 'administrator', `{"x":"${'y'.repeat(MIB)}"}`), 90001);
      // A request that fails before its handler is logged with its URL: redacted.
      const odd = sig();
      const response = await fetch(`${url}/v4/${ROAM}?sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${odd}`, {
        method: 'POST',
        headers: { 'content-type': ';;;' },
        body: '{}',
      });
      assert.equal(response.status, 200);
      // An internal error is logged with its error.
      await store.close();
      assertRefused(await call(SEND, { From_Account: 'administrator', To_Account: 'admin2', MsgRandom: 1, MsgBody: text('x') }, sig()), 91000);
    } finally {
      await app.close();
      await store.close();
    }
    const log = lines.join('');
    assert.match(log, /API handler failed/, 'the internal error was logged');
    assert.match(log, /\[redacted\]/, 'the URL of the request that failed before its handler was logged, redacted');
    assert.ok(lines.length >= 5, `the calls were logged (${lines.length} lines)`);
    for (const s of sigs) assert.ok(!log.includes(s), 'a UserSig appears in the log');
    assert.doesNotMatch(log, /usersig=(?!\[redacted\])/i);
  });
});
