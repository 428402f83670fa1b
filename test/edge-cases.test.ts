import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { encode } from '../src/usersig/base64url.js';
import { assertRefused, startServer, TEST_APP, type TestServer, text, userSig } from './helpers.js';

// Inputs found by review that once slipped past the envelope, the spec or privacy.
let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('a', 'b', 'c');
});
after(() => s.close());

const query = () => `sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${userSig()}&contenttype=json`;

test('URLs the router cannot take still get HTTP 200 and 60009, and never echo the UserSig', async () => {
  for (const path of ['/v4/openim/send%zzmsg', `/v4/openim/${'x'.repeat(600)}`]) {
    const response = await fetch(`${s.url}${path}?${query()}`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 200, path.slice(0, 40));
    const body = await response.text();
    assert.equal(body.includes('usersig'), false);
    assertRefused(JSON.parse(body), 60009);
  }
});

test('a crafted UserSig whose expiry is beyond any date is refused with 70001, not a parse error', async () => {
  const doc = { 'TLS.ver': '2.0', 'TLS.identifier': 'administrator', 'TLS.sdkappid': TEST_APP.sdkappid, 'TLS.time': -9007199254740991, 'TLS.expire': 0, 'TLS.sig': 'AAAA' };
  const sig = encode(deflateSync(Buffer.from(JSON.stringify(doc))));
  assertRefused(await s.call('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'a' }] }, { query: { usersig: sig } }), 70001);
});

test('after a modification, resending the original text is a new message: no fingerprint of destroyed content is kept', async () => {
  const original = { From_Account: 'a', To_Account: 'b', MsgSeq: 4242, MsgRandom: 4242, MsgBody: text('secret-original') };
  const first = await s.ok('openim/sendmsg', original);
  await s.ok('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: first['MsgKey'], MsgBody: text('redacted') });
  s.clock.advance(2);
  const again = await s.ok('openim/sendmsg', original);
  assert.notEqual(again['MsgKey'], first['MsgKey'], 'not answered as a duplicate of the modified message');
});

test('group_msg_get_simple fills a page past recalled messages, so paging never stops early', async () => {
  const g = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'r', Owner_Account: 'a' }))['GroupId'];
  for (let i = 1; i <= 4; i++) await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, Random: i, MsgBody: text(`m${i}`) });
  await s.ok('group_open_http_svc/group_msg_recall', { GroupId: g, MsgSeqList: [{ MsgSeq: 3 }, { MsgSeq: 4 }] });
  const r = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: g, ReqMsgNumber: 2 });
  assert.deepEqual((r['RspMsgList'] as { MsgSeq: number }[]).map((m) => m.MsgSeq), [2, 1]);
  const again = await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, Random: 4, MsgBody: text('m4 again') });
  assert.equal(again['MsgSeq'], 5, 'a Random whose message was recalled is not a duplicate');
});

test('TopicId "" means no topic, as in Tencent\'s callbacks', async () => {
  const c = (await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', SupportTopic: 1, Owner_Account: 'a' }))['GroupId'];
  const sent = await s.ok('group_open_http_svc/send_group_msg', { GroupId: c, TopicId: '', Random: 1, MsgBody: text('top level') });
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: c, TopicId: '', MsgSeq: sent['MsgSeq'], CloudCustomData: 'x' })).ErrorCode, 0);
});

test('create_topic racing destroy_group never leaves a topic behind', async () => {
  for (let i = 0; i < 10; i++) {
    const id = `@TGS#_race-${i}`;
    await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'race', SupportTopic: 1, GroupId: id });
    const [, topic] = await Promise.all([
      s.call('group_open_http_svc/destroy_group', { GroupId: id }),
      s.call('million_group_open_http_svc/create_topic', { GroupId: id, TopicId: `${id}@TOPIC#_t`, TopicName: 't' }),
    ]);
    assert.ok([0, 10010].includes(topic.ErrorCode));
    await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'race', SupportTopic: 1, GroupId: id });
    const topics = await s.ok('million_group_open_http_svc/get_topic', { GroupId: id });
    assert.deepEqual(topics['TopicAndSelfInfo'], [], 'the re-created group has no topic of the old one');
  }
});

test('PARLEY_RATE_LIMIT is bounded (the limiter keeps one time per allowed call)', () => {
  assert.throws(() => loadConfig({ PARLEY_RATE_LIMIT: '1000000000' }), ConfigError);
  assert.equal(loadConfig({ PARLEY_RATE_LIMIT: '100000' }).rateLimit, 100_000);
});
