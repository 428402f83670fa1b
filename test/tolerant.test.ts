import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIS } from '../src/api/registry.js';
import { loadFixtures } from './conformance/fixtures.js';
import { PREPARE } from './conformance/scenarios.js';
import { assertOk, assertRefused, type Reply, startServer, type TestServer, text } from './helpers.js';

// decisions.md §2: requests are read liberally (a field parley does not know is ignored, and named
// in a debug log line; null for an optional field means absent; unknown keys in message elements
// are dropped, not stored), and PARLEY_STRICT_FIELDS=1 refuses unknown fields instead. The requests
// here are what published third-party Tencent SDKs really send.

type Msg = Record<string, unknown>;

const FILE_FROM_JAVA_SDK = { Url: 'https://x/f.txt', UUID: 'f1', FileSize: 10, FileName: 'f.txt', filename: 'f.txt', Download_Flag: 2 };
const FILE_STORED = { Url: 'https://x/f.txt', UUID: 'f1', FileSize: 10, FileName: 'f.txt', Download_Flag: 2 };
const IMAGE_FROM_PHP_SDK = {
  UUID: 'img1',
  ImageFormat: 1,
  ImageInfoArray: [{ Type: 1, Size: 100, Width: 10, Height: 20, URL: 'https://x/1.jpg' }],
  Type: 1,
  Size: 100,
  Width: 10,
  Height: 20,
  URL: 'https://x/1.jpg',
};
const IMAGE_STORED = { UUID: 'img1', ImageFormat: 1, ImageInfoArray: [{ Type: 1, Size: 100, Width: 10, Height: 20, URL: 'https://x/1.jpg' }] };

const elem = (MsgType: string, MsgContent: unknown) => [{ MsgType, MsgContent }];

async function roam(s: TestServer, a: string, b: string): Promise<Msg[]> {
  return (await s.ok('openim/admin_getroammsg', { Operator_Account: a, Peer_Account: b, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 }))['MsgList'] as Msg[];
}

async function groupHistory(s: TestServer, groupId: string): Promise<Msg[]> {
  return (await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 20 }))['RspMsgList'] as Msg[];
}

describe('read liberally (the default)', () => {
  let s: TestServer;
  const logs: string[] = [];
  before(async () => {
    s = await startServer({ logLines: logs });
    await s.users('alice', 'bob');
  });
  after(() => s.close());

  test('a file element with FileName and a stray lowercase filename (a published Java SDK) is sent, modified and sent to a group; only documented keys are stored', async () => {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: elem('TIMFileElem', FILE_FROM_JAVA_SDK) });
    assert.deepEqual((await roam(s, 'alice', 'bob')).find((m) => m['MsgKey'] === sent['MsgKey'])?.['MsgBody'], elem('TIMFileElem', FILE_STORED));
    const edited = { ...FILE_FROM_JAVA_SDK, FileName: 'g.txt', filename: 'g.txt' };
    assertOk(await s.call('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], MsgBody: elem('TIMFileElem', edited) }));
    assert.deepEqual((await roam(s, 'alice', 'bob')).find((m) => m['MsgKey'] === sent['MsgKey'])?.['MsgBody'], elem('TIMFileElem', { ...FILE_STORED, FileName: 'g.txt' }));
    const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'files', Owner_Account: 'alice' }))['GroupId'] as string;
    assertOk(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: 1, MsgBody: elem('TIMFileElem', FILE_FROM_JAVA_SDK) }));
    assert.deepEqual((await groupHistory(s, groupId))[0]?.['MsgBody'], elem('TIMFileElem', FILE_STORED));
  });

  test('an image element with Type, Size, Width, Height and URL beside ImageInfoArray (a published PHP SDK) is stored without them', async () => {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 2, MsgBody: elem('TIMImageElem', IMAGE_FROM_PHP_SDK) });
    assert.deepEqual((await roam(s, 'alice', 'bob')).find((m) => m['MsgKey'] === sent['MsgKey'])?.['MsgBody'], elem('TIMImageElem', IMAGE_STORED));
  });

  test('unknown keys beside MsgType and MsgContent, and inside forwarded messages, are dropped too', async () => {
    const relay = {
      Title: 't',
      MsgNum: 1,
      CompatibleText: 'c',
      AbstractList: ['a'],
      MsgList: [{ From_Account: 'alice', MsgSeq: 1, MsgRandom: 2, MsgTimeStamp: 3, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hi', Colour: 'red' }, Extra: 1 }], Hop: 2 }],
    };
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 3, MsgBody: [{ MsgType: 'TIMRelayElem', MsgContent: relay, Priority: 'high' }] });
    const stored = (await roam(s, 'alice', 'bob')).find((m) => m['MsgKey'] === sent['MsgKey'])?.['MsgBody'];
    assert.deepEqual(stored, elem('TIMRelayElem', { ...relay, MsgList: [{ From_Account: 'alice', MsgSeq: 1, MsgRandom: 2, MsgTimeStamp: 3, MsgBody: text('hi') }] }));
  });

  test('account_import with the legacy Identifier (instead of UserID) imports the account', async () => {
    assertOk(await s.call('im_open_login_svc/account_import', { Identifier: 'legacy_id', Nick: 'n' }));
    const r = await s.ok('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'legacy_id' }] });
    assert.equal((r['ResultItem'] as Msg[])[0]?.['AccountStatus'], 'Imported');
  });

  test('create_group MemberList items with ShutUpUntil, MsgSeq and LastSendMsgTime are accepted', async () => {
    const r = await s.call('group_open_http_svc/create_group', {
      Type: 'Public',
      Name: 'members',
      Owner_Account: 'alice',
      MemberList: [{ Member_Account: 'bob', Role: 'Admin', ShutUpUntil: 0, MsgSeq: 5, LastSendMsgTime: 1700000000 }],
    });
    assertOk(r);
    const info = await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [r['GroupId']] });
    const members = ((info['GroupInfo'] as Msg[])[0]?.['MemberList'] as Msg[]).map((m) => [m['Member_Account'], m['Role']]);
    assert.deepEqual(members.sort(), [['alice', 'Owner'], ['bob', 'Admin']]);
  });

  test('MsgOnlineOnlyFlag (sent by some SDKs) is ignored', async () => {
    assertOk(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 4, MsgOnlineOnlyFlag: 0, MsgBody: text('x') }));
  });

  test('null for an optional field means it is absent: at the top, in list items and inside elements', async () => {
    const sent = await s.ok('openim/sendmsg', {
      SyncOtherMachine: null,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgLifeTime: null,
      MsgSeq: null,
      MsgRandom: 5,
      MsgBody: elem('TIMCustomElem', { Data: 'd', Desc: null, Ext: null, Sound: null }),
      CloudCustomData: null,
      OfflinePushInfo: null,
    });
    assert.deepEqual((await roam(s, 'alice', 'bob')).find((m) => m['MsgKey'] === sent['MsgKey'])?.['MsgBody'], elem('TIMCustomElem', { Data: 'd' }));
    assertOk(await s.call('im_open_login_svc/account_import', { UserID: 'null_nick', Nick: null, FaceUrl: null }));
    assertOk(await s.call('group_open_http_svc/create_group', { Type: 'Public', Name: 'n', Owner_Account: null, GroupId: null, MemberList: [{ Member_Account: 'bob', Role: null }] }));
    // A required field given as null is missing, with the code of a missing field.
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: null, MsgBody: text('x') }), 90005);
    // A null item in a list is not a field: it is a bad item.
    assertRefused(await s.call('openim/batchsendmsg', { From_Account: 'alice', To_Account: null, MsgRandom: 6, MsgBody: text('x') }), 90003);
  });

  test('a known field of the wrong type still gets its documented code; __proto__ keys are still refused', async () => {
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: '5', MsgBody: text('x'), Unknown: 1 }), 90005);
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 7, MsgBody: elem('TIMTextElem', { Text: 5, Colour: 'red' }) }), 90002);
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Party', Name: 'x', Colour: 'red' }), 10004);
    assertRefused(await s.call('openim/sendmsg', undefined, { raw: '{"MsgRandom":1,"Extra":{"__proto__":{"polluted":true}}}' }), 90001);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  const fixtures = loadFixtures();
  for (const api of APIS) {
    const name = `${api.service}/${api.command}`;
    test(`${name}: an unknown field is ignored, and a debug log line names it`, async () => {
      const sample = fixtures.get(name)?.samples[0];
      const prepare = PREPARE[name];
      assert.ok(sample !== undefined && prepare !== undefined);
      const request = await prepare(s, sample);
      const field = `ParleyUnknown_${api.command}`;
      logs.length = 0;
      const r = await s.call(name, { ...request, [field]: { nested: true } });
      assert.equal(r.ErrorCode, 0, r.ErrorInfo);
      const line = logs.map((l) => JSON.parse(l) as { msg: string; ignored?: string[] }).find((l) => l.msg === 'ignored unknown request fields');
      assert.deepEqual(line?.ignored, [field]);
    });
  }
});

describe('PARLEY_STRICT_FIELDS=1', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { PARLEY_STRICT_FIELDS: '1' } });
    await s.users('alice', 'bob');
  });
  after(() => s.close());

  const fixtures = loadFixtures();
  for (const api of APIS) {
    const name = `${api.service}/${api.command}`;
    test(`${name}: an unknown field is refused with ${api.invalidCode}, naming the field`, async () => {
      const sample = fixtures.get(name)?.samples[0];
      const prepare = PREPARE[name];
      assert.ok(sample !== undefined && prepare !== undefined);
      const request = await prepare(s, sample);
      const r: Reply = await s.call(name, { ...request, ParleyTypo: 1 });
      assertRefused(r, api.invalidCode);
      assert.match(r.ErrorInfo, /"ParleyTypo"/);
    });
  }

  test('unknown fields in list items and message elements are refused too; nothing is stored', async () => {
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Public', Name: 'x', MemberList: [{ Member_Account: 'bob', ShutUpUntil: 0 }] }), 10004);
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: elem('TIMFileElem', FILE_FROM_JAVA_SDK) }), 90002);
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x' }, Extra: 1 }] }), 90002);
    assertRefused(await s.call('im_open_login_svc/account_import', { UserID: 'strict_a', Gender: 'x' }), 70402);
    assert.deepEqual(await roam(s, 'alice', 'bob'), []);
    const r = await s.ok('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'strict_a' }] });
    assert.equal((r['ResultItem'] as Msg[])[0]?.['AccountStatus'], 'NotImported');
  });

  test('a field named like an Object method ("toString", "constructor") is as unknown as any other', async () => {
    for (const field of ['toString', 'constructor', 'hasOwnProperty']) {
      const r = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 3, MsgBody: text('x'), [field]: 1 });
      assertRefused(r, 90010);
      assert.match(r.ErrorInfo, new RegExp(`"${field}"`));
    }
    assertRefused(await s.call('group_open_http_svc/get_group_info', { GroupIdList: ['@TGS#NONE00000'], ResponseFilter: { toString: ['Name'] } }), 10004);
  });

  test('null still means absent', async () => {
    assertOk(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 2, MsgBody: text('x'), CloudCustomData: null }));
  });

  test('PARLEY_STRICT_FIELDS takes 1 or 0, nothing else', async () => {
    const { ConfigError, loadConfig } = await import('../src/config.js');
    assert.equal(loadConfig({ PARLEY_STRICT_FIELDS: '1' }).strictFields, true);
    assert.equal(loadConfig({ PARLEY_STRICT_FIELDS: '0' }).strictFields, false);
    assert.equal(loadConfig({}).strictFields, false);
    assert.throws(() => loadConfig({ PARLEY_STRICT_FIELDS: 'yes' }), ConfigError);
  });
});
