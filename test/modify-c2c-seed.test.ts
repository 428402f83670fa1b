import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

// The three sample requests of seeds/modify_c2c_msg.md, on real messages, and its sample response.
let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('dramon1', 'dramon2');
});
after(() => s.close());

async function sendOne(): Promise<string> {
  const r = await s.ok('openim/sendmsg', { From_Account: 'dramon1', To_Account: 'dramon2', MsgRandom: Math.floor(Math.random() * 1e9), MsgBody: text('original') });
  return r['MsgKey'] as string;
}

async function history(): Promise<Record<string, unknown>[]> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: 'dramon1', Peer_Account: 'dramon2', MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return r['MsgList'] as Record<string, unknown>[];
}

const SUCCESS = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"succeed"}';

async function modifyRaw(body: unknown): Promise<string> {
  const { userSig, TEST_APP } = await import('./helpers.js');
  const url = `${s.url}/v4/openim/modify_c2c_msg?sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${userSig()}&random=99999999&contenttype=json`;
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(response.status, 200);
  return response.text();
}

test('seed sample 1: modify only MsgBody; the response is byte for byte the seed sample', async () => {
  const key = await sendOne();
  const raw = await modifyRaw({ From_Account: 'dramon1', To_Account: 'dramon2', MsgKey: key, MsgBody: text('hello') });
  assert.equal(raw, SUCCESS);
  const m = (await history()).find((x) => x['MsgKey'] === key);
  assert.deepEqual(m?.['MsgBody'], text('hello'));
  assert.equal(m?.['CloudCustomData'], '');
});

test('seed sample 2: modify only CloudCustomData; MsgBody is untouched', async () => {
  const key = await sendOne();
  assert.equal(await modifyRaw({ From_Account: 'dramon1', To_Account: 'dramon2', MsgKey: key, CloudCustomData: 'your cloud custom data' }), SUCCESS);
  const m = (await history()).find((x) => x['MsgKey'] === key);
  assert.deepEqual(m?.['MsgBody'], text('original'));
  assert.equal(m?.['CloudCustomData'], 'your cloud custom data');
});

test('seed sample 3: modify both; MsgKey, MsgSeq, MsgRandom and MsgTimeStamp never change', async () => {
  const key = await sendOne();
  const beforeMsg = (await history()).find((x) => x['MsgKey'] === key);
  assert.equal(
    await modifyRaw({ From_Account: 'dramon1', To_Account: 'dramon2', MsgKey: key, MsgBody: text('hello'), CloudCustomData: 'your cloud custom data' }),
    SUCCESS,
  );
  const m = (await history()).find((x) => x['MsgKey'] === key);
  assert.deepEqual(m?.['MsgBody'], text('hello'));
  assert.equal(m?.['CloudCustomData'], 'your cloud custom data');
  for (const f of ['MsgKey', 'MsgSeq', 'MsgRandom', 'MsgTimeStamp', 'From_Account', 'To_Account']) assert.equal(m?.[f], beforeMsg?.[f]);
  const event = s.events.find((e) => e.type === 'c2c.modified' && e.msgKey === key);
  assert.ok(event, 'a c2c.modified event is published');
});

test('the seed\'s literal MsgKey "1_2_3" names no stored message: 20026', async () => {
  const r = await s.call('openim/modify_c2c_msg', { From_Account: 'dramon1', To_Account: 'dramon2', MsgKey: '1_2_3', MsgBody: text('hello') });
  assert.equal(r.ErrorCode, 20026);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.match(r.ErrorInfo, /1_2_3/);
});
