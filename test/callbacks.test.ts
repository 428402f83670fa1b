import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadApps } from '../src/apps.js';
import { AFTER_TIMEOUT_MS, MAX_ATTEMPTS, retryDelayMs } from '../src/callbacks/dispatcher.js';
import { callbackSign } from '../src/callbacks/settings.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { type Answer, OK_ANSWER, type Received, type Receiver, startReceiver } from './callback-receiver.js';
import { shapeProblems } from './conformance/shape.js';
import { FIXTURE_DIR } from './conformance/fixtures.js';
import { assertOk, assertRefused, startServer, TEST_APP, type TestServer, tempDir, text, userSig } from './helpers.js';

// Acceptance (issue 8, item 3): third-party callbacks against a real app server on loopback, on
// the suite's store (SQLite, and PostgreSQL when the runner is given one).

const TOKEN = 'xxxxyyyy';

/** The documented sample of a command (test/conformance/fixtures/callbacks/). */
function sample(command: string): Record<string, unknown> {
  const fixture = JSON.parse(readFileSync(`${FIXTURE_DIR}/callbacks/${command}.json`, 'utf8')) as { source: string; request: Record<string, unknown> };
  assert.match(fixture.source, /^https:\/\//);
  return fixture.request;
}

/** Tencent's query parameters, and a valid Sign for the token. */
function assertProtocol(r: Received, token = TOKEN): void {
  assert.equal(r.path, '/im');
  assert.equal(r.query.get('keep'), 'me', 'the configured query survives');
  assert.equal(r.query.get('SdkAppid'), String(TEST_APP.sdkappid));
  assert.equal(r.query.get('CallbackCommand'), r.body['CallbackCommand']);
  assert.equal(r.query.get('contenttype'), 'json');
  assert.equal(r.query.get('ClientIP'), '127.0.0.1');
  assert.equal(r.query.get('OptPlatform'), 'RESTAPI');
  const time = Number(r.query.get('RequestTime'));
  assert.ok(Math.abs(time - Date.now() / 1000) < 60, 'RequestTime is now, in seconds');
  assert.equal(r.query.get('Sign'), callbackSign(token, time));
  assert.match(String(r.headers['content-type']), /^application\/json/);
}

/** An after-callback carries its delivery id beside the body, never in it. */
function deliveryId(r: Received): string {
  const id = r.query.get('ParleyDeliveryId');
  assert.ok(id !== null && /^[0-9a-f-]{36}$/.test(id), 'a delivery id in the query');
  assert.equal(r.headers['x-parley-delivery-id'], id, 'the same id in a header');
  assert.ok(!('ParleyDeliveryId' in r.body));
  return id;
}

const of = (received: readonly Received[], command: string) => received.filter((r) => r.command === command);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function callbackServer(receiver: Receiver, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer({ env: { PARLEY_CALLBACK_URL: `${receiver.url}/im?keep=me`, PARLEY_CALLBACK_TOKEN: TOKEN, ...env } });
  await s.users('alice', 'bob', 'carol');
  return s;
}

test("Sign is the hex SHA-256 of the token followed by RequestTime (Tencent's test vector)", () => {
  assert.equal(callbackSign('xxxxyyyy', 1669872112), '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061');
});

describe('every callback command fires with the documented fields', () => {
  let receiver: Receiver;
  let s: TestServer;
  before(async () => {
    receiver = await startReceiver();
    s = await callbackServer(receiver);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  test('C2C: before and after send, after withdraw, after modify', async () => {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgSeq: 7, MsgRandom: 99, OnlineOnlyFlag: 1, MsgBody: text('hello'), CloudCustomData: 'cd' });
    const key = sent['MsgKey'] as string;
    await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: key, MsgBody: text('edited') });
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: key });
    await receiver.waitFor((r) => of(r, 'C2C.CallbackAfterMsgWithDraw').length === 1 && of(r, 'C2C.CallbackAfterModifyMsg').length === 1 && of(r, 'C2C.CallbackAfterSendMsg').length === 1);
    for (const command of ['C2C.CallbackBeforeSendMsg', 'C2C.CallbackAfterSendMsg', 'C2C.CallbackAfterModifyMsg', 'C2C.CallbackAfterMsgWithDraw']) {
      const [r] = of(receiver.received, command);
      assert.ok(r !== undefined, command);
      assertProtocol(r);
      assert.deepEqual(shapeProblems(sample(command), r.body, command), [], `${command} has the keys and JSON types of Tencent's sample`);
      if (command !== 'C2C.CallbackBeforeSendMsg') deliveryId(r);
    }
    const beforeSend = of(receiver.received, 'C2C.CallbackBeforeSendMsg')[0]?.body;
    assert.deepEqual(
      beforeSend,
      { CallbackCommand: 'C2C.CallbackBeforeSendMsg', From_Account: 'alice', To_Account: 'bob', MsgSeq: 7, MsgRandom: 99, MsgTime: sent['MsgTime'], MsgKey: key, MsgId: sent['MsgId'], OnlineOnlyFlag: 1, MsgBody: text('hello'), CloudCustomData: 'cd' },
    );
    const afterSend = of(receiver.received, 'C2C.CallbackAfterSendMsg')[0]?.body;
    assert.deepEqual([afterSend?.['MsgKey'], afterSend?.['MsgId'], afterSend?.['SendMsgResult'], afterSend?.['ErrorInfo'], afterSend?.['MsgBody']], [key, sent['MsgId'], 0, 'send msg succeed', text('hello')]);
    const modified = of(receiver.received, 'C2C.CallbackAfterModifyMsg')[0]?.body;
    assert.deepEqual([modified?.['Operator_Account'], modified?.['MsgKey'], modified?.['MsgBody'], modified?.['CloudCustomData']], ['administrator', key, text('edited'), 'cd'], 'the content after the change');
    assert.ok(Math.abs(Number(modified?.['EventTime']) - Date.now()) < 60_000, 'EventTime in ms');
    const withdrawn = of(receiver.received, 'C2C.CallbackAfterMsgWithDraw')[0]?.body;
    assert.deepEqual({ ...withdrawn, EventTime: 0 }, { CallbackCommand: 'C2C.CallbackAfterMsgWithDraw', From_Account: 'alice', To_Account: 'bob', MsgKey: key, UnreadMsgNum: 0, EventTime: 0 });
    assert.ok(Math.abs(Number(withdrawn?.['EventTime']) - Date.now()) < 60_000, 'EventTime in ms');
  });

  test('Group: before and after send (in a topic, and with GroupAtInfo), after recall, after modify', async () => {
    const community = (await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', SupportTopic: 1, MemberList: [{ Member_Account: 'alice' }] }))['GroupId'] as string;
    const topic = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: community, TopicName: 't' }))['TopicId'] as string;
    const pub = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'p', MemberList: [{ Member_Account: 'alice' }, { Member_Account: 'bob' }] }))['GroupId'] as string;
    const inTopic = await s.ok('group_open_http_svc/send_group_msg', { GroupId: community, TopicId: topic, From_Account: 'alice', Random: 5, MsgBody: text('t1'), CloudCustomData: 'x' });
    const at = [{ GroupAtAllFlag: 1 }, { GroupAtAllFlag: 0, GroupAt_Account: 'bob' }];
    const withAt = await s.ok('group_open_http_svc/send_group_msg', { GroupId: pub, From_Account: 'alice', Random: 6, MsgBody: text('@all'), GroupAtInfo: at });
    await s.ok('openim/modify_group_msg', { GroupId: pub, MsgSeq: withAt['MsgSeq'], MsgBody: text('@all, edited') });
    const recall = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: community, TopicId: topic, MsgSeqList: [{ MsgSeq: inTopic['MsgSeq'] }] });
    assert.deepEqual(recall['RecallRetList'], [{ MsgSeq: inTopic['MsgSeq'], RetCode: 0 }]);
    await receiver.waitFor((r) => of(r, 'Group.CallbackAfterSendMsg').length === 2 && of(r, 'Group.CallbackAfterRecallMsg').length === 1 && of(r, 'Group.CallbackAfterModifyMsg').length === 1);

    const [beforeTopic, beforeAt] = of(receiver.received, 'Group.CallbackBeforeSendMsg');
    assert.ok(beforeTopic !== undefined && beforeAt !== undefined);
    assertProtocol(beforeTopic);
    assert.deepEqual(shapeProblems(sample('Group.CallbackBeforeSendMsg'), beforeTopic.body), []);
    assert.deepEqual([beforeTopic.body['GroupId'], beforeTopic.body['Type'], beforeTopic.body['TopicId'], beforeTopic.body['Operator_Account'], beforeTopic.body['Random']], [community, 'Community', topic, 'administrator', 5]);
    assert.ok(!('TopicId' in beforeAt.body), 'TopicId only for a message in a topic');

    const afterAt = of(receiver.received, 'Group.CallbackAfterSendMsg').find((r) => r.body['GroupId'] === pub);
    assert.ok(afterAt !== undefined);
    assertProtocol(afterAt);
    deliveryId(afterAt);
    assert.deepEqual(shapeProblems(sample('Group.CallbackAfterSendMsg'), afterAt.body), []);
    assert.deepEqual([afterAt.body['MsgSeq'], afterAt.body['MsgTime'], afterAt.body['GroupAtInfo'], afterAt.body['Type']], [withAt['MsgSeq'], withAt['MsgTime'], at, 'Public']);

    const [recalled] = of(receiver.received, 'Group.CallbackAfterRecallMsg');
    assert.ok(recalled !== undefined);
    assertProtocol(recalled);
    deliveryId(recalled);
    assert.deepEqual(shapeProblems(sample('Group.CallbackAfterRecallMsg'), recalled.body), []);
    assert.deepEqual([recalled.body['MsgSeqList'], recalled.body['TopicId'], recalled.body['Type']], [[{ MsgSeq: inTopic['MsgSeq'] }], topic, 'Community']);

    const [modified] = of(receiver.received, 'Group.CallbackAfterModifyMsg');
    assert.ok(modified !== undefined);
    assertProtocol(modified);
    deliveryId(modified);
    assert.deepEqual(shapeProblems(sample('Group.CallbackAfterModifyMsg'), modified.body), []);
    assert.deepEqual([modified.body['MsgBody'], modified.body['TopicId'], modified.body['MsgSeq'], modified.body['Operator_Account']], [text('@all, edited'), '', withAt['MsgSeq'], 'administrator']);
  });
});

describe('before-send callbacks decide', () => {
  let receiver: Receiver;
  let s: TestServer;
  let decide: (r: Received) => Answer = () => OK_ANSWER;
  before(async () => {
    receiver = await startReceiver();
    receiver.answer = (r) => (r.command.includes('Before') ? decide(r) : OK_ANSWER);
    s = await callbackServer(receiver);
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  const history = async (a: string, b: string) => ((await s.ok('openim/admin_getroammsg', { Operator_Account: a, Peer_Account: b, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 }))['MsgList'] as Record<string, unknown>[]);
  const groupHistory = async (g: string) => ((await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: g, ReqMsgNumber: 20 }))['RspMsgList'] as Record<string, unknown>[]);
  const group = async () => (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', MemberList: [{ Member_Account: 'alice' }] }))['GroupId'] as string;
  const afterSends = (command: string, random: number) => of(receiver.received, command).filter((r) => (r.body['MsgRandom'] ?? r.body['Random']) === random);

  test('a refusal (ErrorCode 1, or its own code) stops the message: 20006 / 10016, nothing stored, no after-callback', async () => {
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 } });
    assertRefused(await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'carol', MsgRandom: 101, MsgBody: text('no') }), 20006);
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: 'no swearing', ErrorCode: 120005 } });
    const own = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'carol', MsgRandom: 102, MsgBody: text('no') });
    assertRefused(own, 20006);
    assert.match(own.ErrorInfo, /app server refused.*120005.*no swearing/);
    assert.deepEqual(await history('alice', 'carol'), []);
    const g = await group();
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 1 } });
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 103, MsgBody: text('no') }), 10016);
    // Each kind of message has its own range of the app's own codes (1047/34364, 1047/34374).
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: 'not here', ErrorCode: 10150 } });
    assert.match((await s.call('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 105, MsgBody: text('no') })).ErrorInfo, /10150.*not here/);
    assert.deepEqual(await groupHistory(g), []);
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: 'C2C range', ErrorCode: 120005 } });
    const next = await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 104, MsgBody: text('yes') });
    assert.equal(next['MsgSeq'], 1, 'the refused messages took no MsgSeq; a code outside the group range is a failed answer, and the policy (allow) lets it through');
    await receiver.waitFor((r) => of(r, 'Group.CallbackAfterSendMsg').some((x) => x.body['Random'] === 104));
    assert.deepEqual([...afterSends('C2C.CallbackAfterSendMsg', 101), ...afterSends('C2C.CallbackAfterSendMsg', 102), ...afterSends('Group.CallbackAfterSendMsg', 103)], []);
  });

  test('a rewrite changes what is stored, and what the after-callback reports', async () => {
    decide = (r) =>
      r.command === 'C2C.CallbackBeforeSendMsg'
        ? { json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, MsgBody: text('[rewritten]'), CloudCustomData: 'by app' } }
        : { json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, MsgBody: [...text('hi'), { MsgType: 'TIMCustomElem', MsgContent: { Desc: 'level', Data: 'LV1' } }] } };
    const sent = await s.ok('openim/sendmsg', { From_Account: 'bob', To_Account: 'carol', MsgRandom: 201, MsgBody: text('raw words'), CloudCustomData: 'mine' });
    const [stored] = await history('bob', 'carol');
    assert.deepEqual([stored?.['MsgBody'], stored?.['CloudCustomData'], stored?.['MsgKey']], [text('[rewritten]'), 'by app', sent['MsgKey']]);
    const g = await group();
    const gs = await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 202, MsgBody: text('hi'), CloudCustomData: 'kept' });
    const [gm] = await groupHistory(g);
    assert.deepEqual([gm?.['MsgBody'], gm?.['CloudCustomData'], gm?.['MsgSeq']], [[...text('hi'), { MsgType: 'TIMCustomElem', MsgContent: { Desc: 'level', Data: 'LV1' } }], 'kept', gs['MsgSeq']]);
    await receiver.waitFor((r) => afterSends('C2C.CallbackAfterSendMsg', 201).length === 1 && of(r, 'Group.CallbackAfterSendMsg').some((x) => x.body['Random'] === 202));
    assert.deepEqual(afterSends('C2C.CallbackAfterSendMsg', 201)[0]?.body['MsgBody'], text('[rewritten]'));
  });

  test('a silent drop (ErrorCode 2) answers success and keeps nothing', async () => {
    decide = () => ({ json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 2 } });
    const r = await s.call('openim/sendmsg', { From_Account: 'carol', To_Account: 'alice', MsgRandom: 301, MsgBody: text('dropped') });
    assertOk(r);
    assert.equal(typeof r['MsgKey'], 'string');
    assert.deepEqual((await history('carol', 'alice')).filter((m) => m['MsgRandom'] === 301), []);
    const g = await group();
    const gr = await s.call('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 302, MsgBody: text('dropped') });
    assertOk(gr);
    assert.deepEqual(await groupHistory(g), []);
    decide = () => OK_ANSWER;
    await sleep(400);
    assert.deepEqual([...afterSends('C2C.CallbackAfterSendMsg', 301), ...afterSends('Group.CallbackAfterSendMsg', 302)], []);
  });

  test('an app server that hangs, answers garbage, non-2xx or closes the connection: the policy (allow) lets the message through within ~2 s', async () => {
    const cases: [string, Answer][] = [
      ['hang', 'hang'],
      ['garbage', { raw: '<html>oops' }],
      ['HTTP 500', { json: { ErrorCode: 1 }, status: 500 }],
      ['closed', 'close'],
      ['unknown code', { json: { ErrorCode: 7 } }],
      ['a refusal over 64 KiB, never read to its end', { raw: JSON.stringify({ ErrorCode: 1, Padding: 'x'.repeat(100_000) }) }],
    ];
    let random = 400;
    for (const [name, answer] of cases) {
      decide = () => answer;
      const started = Date.now();
      const r = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: ++random, MsgBody: text(name) });
      const took = Date.now() - started;
      assertOk(r);
      assert.ok(took < 2600, `${name}: answered in ${took} ms`);
      if (name === 'hang') assert.ok(took >= 1900, `hang: waited the 2 s (${took} ms)`);
      assert.ok((await history('alice', 'bob')).some((m) => m['MsgRandom'] === random), `${name}: stored`);
    }
    decide = () => OK_ANSWER;
  });

  test('ForbidCallbackControl skips the callbacks it names', async () => {
    const seen = receiver.received.length;
    await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 501, MsgBody: text('a'), ForbidCallbackControl: ['ForbidBeforeSendMsgCallback'] });
    await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 502, MsgBody: text('b'), ForbidCallbackControl: ['ForbidAfterSendMsgCallback'] });
    await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 503, MsgBody: text('c'), ForbidCallbackControl: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'] });
    const g = await group();
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 504, MsgBody: text('d'), ForbidCallbackControl: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'] });
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 505, MsgBody: text('e') });
    await receiver.waitFor((r) => of(r, 'Group.CallbackAfterSendMsg').some((x) => x.body['Random'] === 505));
    await sleep(300);
    const fired = receiver.received
      .slice(seen)
      .filter((r) => Number(r.body['MsgRandom'] ?? r.body['Random']) > 500)
      .map((r) => `${r.command}:${String(r.body['MsgRandom'] ?? r.body['Random'])}`)
      .sort();
    assert.deepEqual(fired, ['C2C.CallbackAfterSendMsg:501', 'C2C.CallbackBeforeSendMsg:502', 'Group.CallbackAfterSendMsg:505', 'Group.CallbackBeforeSendMsg:505']);
  });
});

test('the failure policy "refuse" refuses a send whose before-callback times out, within ~2 s', async () => {
  const receiver = await startReceiver();
  receiver.answer = () => 'hang';
  const s = await callbackServer(receiver, { PARLEY_CALLBACK_ON_FAILURE: 'refuse', PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackBeforeSendMsg,Group.CallbackBeforeSendMsg' });
  try {
    const started = Date.now();
    const r = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') });
    const took = Date.now() - started;
    assertRefused(r, 20006);
    assert.match(r.ErrorInfo, /could not be asked/);
    assert.ok(took >= 1900 && took < 2600, `took ${took} ms`);
    const g = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', MemberList: [{ Member_Account: 'alice' }] }))['GroupId'];
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'alice', Random: 2, MsgBody: text('x') }), 10016);
  } finally {
    await s.close();
    await receiver.close();
  }
});

test('only the configured commands fire', async () => {
  const receiver = await startReceiver();
  const s = await callbackServer(receiver, { PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterModifyMsg' });
  try {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') });
    await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], CloudCustomData: 'y' });
    await receiver.waitFor((r) => r.length > 0);
    await sleep(300);
    assert.deepEqual(receiver.received.map((r) => r.command), ['C2C.CallbackAfterModifyMsg']);
  } finally {
    await s.close();
    await receiver.close();
  }
});

test('a hanging receiver does not slow API calls; its callbacks are retried with the same delivery id once it answers', async () => {
  const receiver = await startReceiver();
  receiver.answer = () => 'hang';
  const s = await callbackServer(receiver, { PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterModifyMsg', PARLEY_CALLBACK_RETRY_SECONDS: '1' });
  try {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') });
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = Date.now();
      await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], CloudCustomData: `v${i}` });
      times.push(Date.now() - t);
    }
    await receiver.waitFor((r) => r.length >= 16, 5000, 'sixteen deliveries hanging');
    // A call that waited for a hung delivery would take at least the delivery's timeout: none did.
    const slowest = Math.max(...times);
    assert.ok(slowest < AFTER_TIMEOUT_MS, `a modification took ${slowest} ms while the receiver hung`);
    // Every slot hangs now; calls still do not wait.
    const t = Date.now();
    await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], CloudCustomData: 'last' });
    assert.ok(Date.now() - t < AFTER_TIMEOUT_MS, 'with every delivery slot hanging');
    const switched = Date.now();
    receiver.answer = () => OK_ANSWER;
    // 61 modifications, each delivered (answered 200) at least once, each with one delivery id
    // whatever the attempt. Those still waiting carry the message as it now is (decisions §5).
    const delivered = new Set<string>();
    await receiver.waitFor(
      (r) => {
        for (const x of r) if (x.at >= switched) delivered.add(deliveryId(x));
        return delivered.size === 61;
      },
      30_000,
      'all 61 after-modify callbacks',
    );
    const ids = new Set(receiver.received.map(deliveryId));
    assert.equal(ids.size, 61, 'one delivery id per event');
    assert.ok(receiver.received.filter((x) => x.at >= switched).every((x) => x.body['CloudCustomData'] === 'last'), 'a callback that waited carries the last content');
    assert.ok(receiver.received.some((r) => Number(r.headers['x-parley-attempt']) >= 2), 'the hung ones were attempted again');
  } finally {
    await s.close();
    await receiver.close();
  }
});

test('an after-callback that keeps failing is retried on the documented schedule, then listed at /parley/v1/callbacks/failed', async () => {
  const receiver = await startReceiver();
  receiver.answer = () => ({ raw: 'down for maintenance', status: 503 });
  const s = await callbackServer(receiver, { PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterMsgWithDraw' });
  const failedList = async (query: Record<string, string>) => {
    const q = new URLSearchParams({ sdkappid: String(TEST_APP.sdkappid), identifier: 'administrator', usersig: userSig('administrator'), ...query });
    const response = await fetch(`${s.url}/parley/v1/callbacks/failed?${q}`);
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown> & { ErrorCode: number };
  };
  try {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') });
    const start = Date.now();
    s.clock.freeze(start);
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'] });
    let waited = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await receiver.waitFor((r) => r.length === attempt, 5000, `attempt ${attempt}`);
      assert.equal(receiver.received[attempt - 1]?.headers['x-parley-attempt'], String(attempt));
      if (attempt === MAX_ATTEMPTS) break;
      // The attempt's failure is dated by the clock once its answer arrived: let that happen first.
      await sleep(150);
      const delay = retryDelayMs(attempt, 10_000);
      s.clock.freeze(start + waited + delay - 1);
      await sleep(350);
      assert.equal(receiver.received.length, attempt, `attempt ${attempt + 1} waits its full ${delay} ms`);
      waited += delay;
      s.clock.freeze(start + waited);
    }
    assert.equal(waited, 81_910_000, 'about 22.75 hours of retries');
    let list = await failedList({});
    for (let i = 0; i < 50 && (list['Failed'] as unknown[]).length === 0; i++) {
      await sleep(50);
      list = await failedList({});
    }
    assert.equal(list.ErrorCode, 0);
    const [failed] = list['Failed'] as Record<string, unknown>[];
    assert.deepEqual(
      [failed?.['CallbackCommand'], failed?.['Attempts'], failed?.['LastError'], failed?.['DeliveryId'], failed?.['CreateTime'], failed?.['FailTime'], list['Next']],
      ['C2C.CallbackAfterMsgWithDraw', MAX_ATTEMPTS, 'HTTP 503', deliveryId(receiver.received[0] as Received), start, start + waited, 0],
    );
    assert.deepEqual((failed?.['Body'] as Record<string, unknown>)['MsgKey'], sent['MsgKey']);
    s.clock.unfreeze();
    // Bad requests: HTTP 200 and the gateway's codes.
    assert.equal((await failedList({ usersig: '' })).ErrorCode, 60004);
    assert.equal((await failedList({ usersig: userSig('administrator', { key: '00'.repeat(32) }) })).ErrorCode, 70009);
    assert.equal((await failedList({ identifier: 'alice', usersig: userSig('alice') })).ErrorCode, 60010);
    assert.equal((await failedList({ limit: '0' })).ErrorCode, 60002);
    assert.equal((await failedList({ after: 'x' })).ErrorCode, 60002);
    assert.equal((await failedList({ sdkappid: '1' })).ErrorCode, 60006);
  } finally {
    s.clock.unfreeze();
    await s.close();
    await receiver.close();
  }
});

test('callback settings: the environment and the apps file, each mistake named', () => {
  const base = { PARLEY_DATA_DIR: tempDir() };
  const cfg = loadConfig({ ...base, PARLEY_CALLBACK_URL: 'https://app.example.com/im?x=1', PARLEY_CALLBACK_TOKEN: 'tok', PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterSendMsg, Group.CallbackAfterSendMsg', PARLEY_CALLBACK_ON_FAILURE: 'refuse' });
  assert.equal(cfg.callback?.url, 'https://app.example.com/im?x=1');
  assert.deepEqual([cfg.callback?.token, [...(cfg.callback?.commands ?? [])], cfg.callback?.onFailure, cfg.callbackRetrySeconds], ['tok', ['C2C.CallbackAfterSendMsg', 'Group.CallbackAfterSendMsg'], 'refuse', 10]);
  assert.equal(loadConfig(base).callback, undefined);
  assert.equal(loadConfig({ ...base, PARLEY_CALLBACK_URL: 'http://h/' }).callback?.commands.size, 8, 'all commands by default');
  const refused: [Record<string, string>, RegExp][] = [
    [{ PARLEY_CALLBACK_URL: 'not a url' }, /PARLEY_CALLBACK_URL=not a url is not a URL/],
    [{ PARLEY_CALLBACK_URL: 'ftp://h/' }, /must start with http:\/\/ or https:\/\//],
    [{ PARLEY_CALLBACK_URL: 'http://u:p@h/' }, /must not carry a user name or password/],
    [{ PARLEY_CALLBACK_TOKEN: 'tok' }, /PARLEY_CALLBACK_TOKEN is set but PARLEY_CALLBACK_URL is not/],
    [{ PARLEY_CALLBACK_URL: 'http://h/', PARLEY_CALLBACK_TOKEN: 'x'.repeat(129) }, /PARLEY_CALLBACK_TOKEN must be 1 to 128/],
    [{ PARLEY_CALLBACK_URL: 'http://h/', PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterMsgModify' }, /PARLEY_CALLBACK_COMMANDS names "C2C.CallbackAfterMsgModify", which is not one of/],
    [{ PARLEY_CALLBACK_URL: 'http://h/', PARLEY_CALLBACK_ON_FAILURE: 'maybe' }, /PARLEY_CALLBACK_ON_FAILURE must be allow .* or refuse/],
    [{ PARLEY_CALLBACK_RETRY_SECONDS: '0' }, /PARLEY_CALLBACK_RETRY_SECONDS=0 is not a whole number from 1 to 3600/],
  ];
  for (const [env, message] of refused) assert.throws(() => loadConfig({ ...base, ...env }), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));

  const dir = tempDir();
  const file = join(dir, 'apps.json');
  const entry = { sdkappid: 1400000002, secretKey: 'k', admins: ['administrator'] };
  writeFileSync(file, JSON.stringify([{ ...entry, callback: { url: 'http://127.0.0.1:1/cb', commands: ['Group.CallbackAfterModifyMsg'], onFailure: 'allow' } }]));
  const apps = loadApps(loadConfig({ PARLEY_DATA_DIR: dir, PARLEY_APPS_FILE: file, PARLEY_CALLBACK_URL: 'http://127.0.0.1:2/default' }));
  assert.equal(apps.defaultApp.callback?.url, 'http://127.0.0.1:2/default');
  assert.deepEqual([...(apps.bySdkAppId.get(1400000002)?.callback?.commands ?? [])], ['Group.CallbackAfterModifyMsg']);
  writeFileSync(file, JSON.stringify([{ ...entry, callback: { url: 'http://h/', commands: 'C2C.CallbackAfterSendMsg,nope' } }]));
  assert.throws(() => loadApps(loadConfig({ PARLEY_DATA_DIR: dir, PARLEY_APPS_FILE: file })), /app #1: callback.commands names "nope"/);
  writeFileSync(file, JSON.stringify([{ ...entry, callback: 'http://h/' }]));
  assert.throws(() => loadApps(loadConfig({ PARLEY_DATA_DIR: dir, PARLEY_APPS_FILE: file })), /app #1: callback must be an object/);
});

test('a callback still waiting for its receiver carries its message as it now is: modified, then recalled (decisions §5)', async () => {
  const receiver = await startReceiver();
  receiver.answer = () => ({ raw: 'down', status: 500 });
  const s = await callbackServer(receiver, { PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterSendMsg,Group.CallbackAfterSendMsg', PARLEY_CALLBACK_RETRY_SECONDS: '1' });
  try {
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('the first words'), CloudCustomData: 'first data' });
    const group = await s.ok('group_open_http_svc/create_group', { Owner_Account: 'alice', Type: 'Public', Name: 'g', MemberList: [{ Member_Account: 'bob' }] });
    const gsent = await s.ok('group_open_http_svc/send_group_msg', { GroupId: group['GroupId'], From_Account: 'alice', Random: 1, MsgBody: text('group words') });
    await receiver.waitFor((r) => r.length >= 2, 10_000, 'both first attempts, refused');
    await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], MsgBody: text('edited words') });
    await s.ok('group_open_http_svc/group_msg_recall', { GroupId: group['GroupId'], MsgSeqList: [{ MsgSeq: gsent['MsgSeq'] }] });
    const since = Date.now();
    receiver.answer = () => OK_ANSWER;
    await receiver.waitFor((r) => r.filter((x) => x.at >= since).length >= 2, 30_000, 'both retried and delivered');
    const retried = receiver.received.filter((x) => x.at >= since);
    const c2c = retried.find((x) => x.command === 'C2C.CallbackAfterSendMsg');
    const grp = retried.find((x) => x.command === 'Group.CallbackAfterSendMsg');
    assert.deepEqual([c2c?.body['MsgBody'], c2c?.body['CloudCustomData']], [text('edited words'), 'first data'], 'the modified content, not the first');
    assert.deepEqual(grp?.body['MsgBody'], [], 'a recalled message leaves no content');
    assert.ok(!receiver.received.filter((x) => x.at >= since).some((x) => JSON.stringify(x.body).includes('the first words')));
  } finally {
    await s.close();
    await receiver.close();
  }
});
