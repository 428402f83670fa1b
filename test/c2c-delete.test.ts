import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOk, assertRefused, startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('amy', 'bob', 'cat');
});
after(() => s.close());

let random = 1;
async function send(from: string, to: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await s.ok('openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: random++, MsgBody: text(body), ...extra }))['MsgKey'] as string;
}
async function keys(owner: string, peer: string): Promise<string[]> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return (r['MsgList'] as { MsgKey: string }[]).map((m) => m.MsgKey);
}
const del = (owner: string, peer: string, list: unknown) => s.call('openim/delete_c2c_msg_ramble', { Operator_Account: owner, Peer_Account: peer, MsgKeyList: list });

describe('delete_c2c_msg_ramble', () => {
  test('hides sent and received messages from the operator only; the peer still sees them', async () => {
    const k1 = await send('amy', 'bob', 'one');
    const k2 = await send('bob', 'amy', 'two');
    const k3 = await send('amy', 'bob', 'three');
    const r = await del('amy', 'bob', [k1, k2]);
    assertOk(r);
    assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo']);
    assert.deepEqual(await keys('amy', 'bob'), [k3]);
    assert.deepEqual((await keys('bob', 'amy')).sort(), [k1, k2, k3].sort());
    // The peer can still modify and recall what it sees.
    await s.ok('openim/modify_c2c_msg', { From_Account: 'amy', To_Account: 'bob', MsgKey: k1, MsgBody: text('one, edited') });
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'bob', To_Account: 'amy', MsgKey: k2 });
    // Deleting again, or a key of no message, changes nothing.
    assertOk(await del('amy', 'bob', [k1, '1_2_3']));
    assert.deepEqual((await keys('bob', 'amy')).sort(), [k1, k2, k3].sort());
  });

  test('once both sides deleted a message it is gone: not modifiable, not recallable', async () => {
    const k = await send('amy', 'cat', 'both');
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'cat', Peer_Account: 'amy', MsgKeyList: [k] });
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'amy', Peer_Account: 'cat', MsgKeyList: [k] });
    assert.deepEqual(await keys('amy', 'cat'), []);
    assert.deepEqual(await keys('cat', 'amy'), []);
    assertRefused(await s.call('openim/modify_c2c_msg', { From_Account: 'amy', To_Account: 'cat', MsgKey: k, MsgBody: text('x') }), 20026);
    assertRefused(await s.call('openim/admin_msgwithdraw', { From_Account: 'amy', To_Account: 'cat', MsgKey: k }), 20022);
  });

  test('a message sent with SyncOtherMachine 2 is gone once its receiver deletes it', async () => {
    const k = await send('bob', 'cat', 'quiet', { SyncOtherMachine: 2 });
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'cat', Peer_Account: 'bob', MsgKeyList: [k] });
    assertRefused(await s.call('openim/modify_c2c_msg', { From_Account: 'bob', To_Account: 'cat', MsgKey: k, MsgBody: text('x') }), 20026);
  });

  test('bad input is refused with its code and deletes nothing', async () => {
    const k = await send('bob', 'amy', 'kept');
    const cases: [Record<string, unknown>, number][] = [
      [{ Peer_Account: 'bob', MsgKeyList: [k] }, 90008],
      [{ Operator_Account: 'nobody', Peer_Account: 'bob', MsgKeyList: [k] }, 90008],
      [{ Operator_Account: 'amy', MsgKeyList: [k] }, 90003],
      [{ Operator_Account: 'amy', Peer_Account: 'nobody', MsgKeyList: [k] }, 90003],
      [{ Operator_Account: 'amy', Peer_Account: 'bob' }, 20001],
      [{ Operator_Account: 'amy', Peer_Account: 'bob', MsgKeyList: [] }, 20001],
      [{ Operator_Account: 'amy', Peer_Account: 'bob', MsgKeyList: k }, 20001],
      [{ Operator_Account: 'amy', Peer_Account: 'bob', MsgKeyList: Array.from({ length: 31 }, () => k) }, 20001],
      [{ Operator_Account: 'amy', Peer_Account: 'bob', MsgKeyList: [k, 'not-a-key'] }, 90054],
      [{ Operator_Account: 'amy', Peer_Account: 'bob', MsgKeyList: [k, 5] }, 20001],
    ];
    for (const [body, code] of cases) assertRefused(await s.call('openim/delete_c2c_msg_ramble', body), code);
    assert.ok((await keys('amy', 'bob')).includes(k));
    // Exactly 30 keys is allowed.
    assertOk(await del('amy', 'bob', Array.from({ length: 30 }, () => k)));
    assert.equal((await keys('amy', 'bob')).includes(k), false);
  });
});
