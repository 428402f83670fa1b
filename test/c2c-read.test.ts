import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertRefused, startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('u', 'p1', 'p2', 'p3');
});
after(() => s.close());

let random = 1;
const now = () => Math.floor(s.clock.nowMs() / 1000);
async function send(from: string, to: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await s.ok('openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: random++, MsgBody: text('m'), ...extra }))['MsgKey'] as string;
}
async function total(user: string): Promise<number> {
  const r = await s.ok('openim/get_c2c_unread_msg_num', { To_Account: user });
  assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'AllC2CUnreadMsgNum']);
  return r['AllC2CUnreadMsgNum'] as number;
}
async function per(user: string, ...peers: string[]): Promise<Record<string, number>> {
  const r = await s.ok('openim/get_c2c_unread_msg_num', { To_Account: user, Peer_Account: peers });
  return Object.fromEntries((r['C2CUnreadMsgNumList'] as { Peer_Account: string; C2CUnreadMsgNum: number }[]).map((e) => [e.Peer_Account, e.C2CUnreadMsgNum]));
}
async function peerRead(owner: string, peer: string): Promise<Record<string, number>> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return Object.fromEntries((r['MsgList'] as { MsgKey: string; IsPeerRead: number }[]).map((m) => [m.MsgKey, m.IsPeerRead]));
}

describe('unread counts and read state', () => {
  test('sends count unread for the receiver; NoUnread and MsgLifeTime 0 do not; reading clears up to MsgReadTime', async () => {
    s.clock.freeze();
    try {
      const a = await send('p1', 'u');
      await send('p1', 'u', { SendMsgControl: ['NoUnread'] });
      await send('p1', 'u', { MsgLifeTime: 0 });
      await s.ok('openim/batchsendmsg', { From_Account: 'p2', To_Account: ['u', 'p3'], MsgRandom: random++, MsgBody: text('b') });
      await send('u', 'p1');
      assert.equal(await total('u'), 2);
      assert.deepEqual(await per('u', 'p1', 'p2', 'p3'), { p1: 1, p2: 1, p3: 0 });
      assert.equal(await total('p1'), 1);
      assert.equal((await peerRead('p1', 'u'))[a], 0);

      s.clock.advance(10);
      const b = await send('p1', 'u');
      // Read up to before b: a is read, b is not.
      await s.ok('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'p1', MsgReadTime: String(now() - 5) });
      assert.deepEqual(await per('u', 'p1'), { p1: 1 });
      const seen = await peerRead('p1', 'u');
      assert.equal(seen[a], 1);
      assert.equal(seen[b], 0);
      // An earlier MsgReadTime does not move it back; without one, everything up to now is read.
      await s.ok('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'p1', MsgReadTime: 1 });
      assert.deepEqual(await per('u', 'p1'), { p1: 1 });
      await s.ok('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'p1' });
      assert.deepEqual(await per('u', 'p1', 'p2'), { p1: 0, p2: 1 });
      assert.equal((await peerRead('u', 'p1'))[b], 1);
    } finally {
      s.clock.unfreeze();
    }
  });

  test('recall and the receiver deleting take a message out of the count; imports count by mode', async () => {
    await s.users('r', 'q');
    const k1 = await send('q', 'r');
    const k2 = await send('q', 'r');
    await send('q', 'r');
    assert.equal(await total('r'), 3);
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'q', To_Account: 'r', MsgKey: k1 });
    assert.equal(await total('r'), 2);
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'r', Peer_Account: 'q', MsgKeyList: [k2] });
    assert.equal(await total('r'), 1);
    // The sender deleting its copy does not change the receiver's count.
    const k4 = await send('q', 'r');
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'q', Peer_Account: 'r', MsgKeyList: [k4] });
    assert.equal(await total('r'), 2);
    const past = now() - 1000;
    await s.ok('openim/importmsg', { SyncFromOldSystem: 2, From_Account: 'q', To_Account: 'r', MsgRandom: 9, MsgTimeStamp: past, MsgBody: text('h') });
    assert.equal(await total('r'), 2);
    await s.ok('openim/importmsg', { SyncFromOldSystem: 5, From_Account: 'q', To_Account: 'r', MsgRandom: 10, MsgTimeStamp: past, MsgBody: text('h') });
    assert.equal(await total('r'), 3);
    // Read now; a real-time import from before that read time is read already.
    await s.ok('openim/admin_set_msg_read', { Report_Account: 'r', Peer_Account: 'q' });
    await s.ok('openim/importmsg', { SyncFromOldSystem: 5, From_Account: 'q', To_Account: 'r', MsgRandom: 11, MsgTimeStamp: past, MsgBody: text('h') });
    assert.equal(await total('r'), 0);
  });

  test('unknown peers go to ErrorList with 70107; bad input is refused with its code', async () => {
    const r = await s.ok('openim/get_c2c_unread_msg_num', { To_Account: 'u', Peer_Account: ['p2', 'nobody'] });
    assert.deepEqual(r['C2CUnreadMsgNumList'], [{ Peer_Account: 'p2', C2CUnreadMsgNum: 1 }]);
    assert.deepEqual(r['ErrorList'], [{ Peer_Account: 'nobody', ErrorCode: 70107 }]);
    assertRefused(await s.call('openim/get_c2c_unread_msg_num', {}), 90003);
    assertRefused(await s.call('openim/get_c2c_unread_msg_num', { To_Account: 'nobody' }), 90003);
    assertRefused(await s.call('openim/get_c2c_unread_msg_num', { To_Account: 'u', Peer_Account: 'p2' }), 90010);
    assertRefused(await s.call('openim/get_c2c_unread_msg_num', { To_Account: 'u', Peer_Account: Array.from({ length: 11 }, (_, i) => `p${i}`) }), 90010);
    assertRefused(await s.call('openim/admin_set_msg_read', { Peer_Account: 'p1' }), 90008);
    assertRefused(await s.call('openim/admin_set_msg_read', { Report_Account: 'nobody', Peer_Account: 'p1' }), 90008);
    assertRefused(await s.call('openim/admin_set_msg_read', { Report_Account: 'u' }), 90003);
    assertRefused(await s.call('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'nobody' }), 90003);
    assertRefused(await s.call('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'p2', MsgReadTime: 'soon' }), 20001);
    assertRefused(await s.call('openim/admin_set_msg_read', { Report_Account: 'u', Peer_Account: 'p2', MsgReadTime: -1 }), 20001);
    assert.deepEqual(await per('u', 'p2'), { p2: 1 }, 'a refused call changed nothing');
  });
});
