import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOk, assertRefused, startServer, type TestServer, text } from './helpers.js';
import { eventually } from './stream-clients.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('ann', 'ben', 'cid', 'gone');
  await s.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] });
});
after(() => s.close());

const past = () => Math.floor(s.clock.nowMs() / 1000) - 86_400;

async function roam(owner: string, peer: string): Promise<Record<string, unknown>[]> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return r['MsgList'] as Record<string, unknown>[];
}

async function unread(user: string, peer: string): Promise<number> {
  const r = await s.ok('openim/get_c2c_unread_msg_num', { To_Account: user, Peer_Account: [peer] });
  return (r['C2CUnreadMsgNumList'] as { C2CUnreadMsgNum: number }[])[0]?.C2CUnreadMsgNum ?? -1;
}

describe('importmsg', () => {
  test('stores the message with its own MsgTimeStamp, MsgKey from the imported fields, in both parties\' history', async () => {
    const time = past();
    const r = await s.call('openim/importmsg', { SyncFromOldSystem: 2, From_Account: 'ann', To_Account: 'ben', MsgSeq: 11, MsgRandom: 22, MsgTimeStamp: time, MsgBody: text('old hello'), CloudCustomData: 'cd' });
    assertOk(r);
    assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo']);
    for (const [owner, peer] of [['ann', 'ben'], ['ben', 'ann']] as const) {
      const m = (await roam(owner, peer)).find((x) => x['MsgKey'] === `11_22_${time}`);
      assert.deepEqual(m, { From_Account: 'ann', To_Account: 'ben', MsgSeq: 11, MsgRandom: 22, MsgTimeStamp: time, MsgFlagBits: 0, IsPeerRead: 0, MsgKey: `11_22_${time}`, MsgBody: text('old hello'), CloudCustomData: 'cd' });
    }
  });

  test('an imported message can be modified, read back and recalled like a sent one', async () => {
    const time = past() - 10;
    await s.ok('openim/importmsg', { SyncFromOldSystem: 5, From_Account: 'ann', To_Account: 'cid', MsgSeq: 1, MsgRandom: 2, MsgTimeStamp: time, MsgBody: text('before') });
    const key = `1_2_${time}`;
    await s.ok('openim/modify_c2c_msg', { From_Account: 'ann', To_Account: 'cid', MsgKey: key, MsgBody: text('after'), CloudCustomData: 'new' });
    const m = (await roam('cid', 'ann')).find((x) => x['MsgKey'] === key);
    assert.deepEqual(m?.['MsgBody'], text('after'));
    assert.equal(m?.['CloudCustomData'], 'new');
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'ann', To_Account: 'cid', MsgKey: key });
    const recalled = (await roam('ann', 'cid')).find((x) => x['MsgKey'] === key);
    assert.equal(recalled?.['MsgFlagBits'], 8);
    assert.deepEqual(recalled?.['MsgBody'], []);
  });

  test('same MsgSeq, MsgRandom and MsgTimeStamp in the same conversation (either direction) is a duplicate whatever the content: the first stays', async () => {
    const time = past() - 20;
    const base = { SyncFromOldSystem: 2, MsgSeq: 5, MsgRandom: 6, MsgTimeStamp: time };
    await s.ok('openim/importmsg', { ...base, From_Account: 'ben', To_Account: 'cid', MsgBody: text('first') });
    assertOk(await s.call('openim/importmsg', { ...base, From_Account: 'ben', To_Account: 'cid', MsgBody: text('second') }));
    assertOk(await s.call('openim/importmsg', { ...base, From_Account: 'cid', To_Account: 'ben', MsgBody: text('third') }));
    const found = (await roam('ben', 'cid')).filter((x) => x['MsgKey'] === `5_6_${time}`);
    assert.deepEqual(found.map((x) => x['MsgBody']), [text('first')]);
    // Another conversation may use the same key.
    await s.ok('openim/importmsg', { ...base, From_Account: 'ben', To_Account: 'ann', MsgBody: text('elsewhere') });
    assert.equal((await roam('ann', 'ben')).filter((x) => x['MsgKey'] === `5_6_${time}`).length, 1);
  });

  test('SyncFromOldSystem 5 (and 1) count as unread and reach the event stream; 2 does neither', async () => {
    await s.users('rx', 'tx');
    const time = past();
    const imported = () => s.events.filter((e) => e.type === 'c2c.sent' && e.from === 'tx' && e.to === 'rx');
    await s.ok('openim/importmsg', { SyncFromOldSystem: 2, From_Account: 'tx', To_Account: 'rx', MsgRandom: 1, MsgTimeStamp: time, MsgBody: text('h') });
    assert.equal(await unread('rx', 'tx'), 0);
    await s.ok('openim/importmsg', { SyncFromOldSystem: 5, From_Account: 'tx', To_Account: 'rx', MsgRandom: 2, MsgTimeStamp: time, MsgBody: text('r') });
    await s.ok('openim/importmsg', { SyncFromOldSystem: 1, From_Account: 'tx', To_Account: 'rx', MsgRandom: 3, MsgTimeStamp: time, MsgBody: text('r1') });
    assert.equal(await unread('rx', 'tx'), 2);
    await eventually(() => imported().length >= 2, 'the real-time imports on the bus');
    // The history import (MsgRandom 1) was never published; events arrive in order.
    assert.deepEqual(imported().map((e) => (e.type === 'c2c.sent' ? e.random : -1)), [2, 3]);
  });

  test('bad input is refused with its code and stores nothing', async () => {
    const ok = { SyncFromOldSystem: 2, From_Account: 'ann', To_Account: 'ben', MsgSeq: 77, MsgRandom: 77, MsgTimeStamp: past(), MsgBody: text('x') };
    const cases: [Record<string, unknown>, number][] = [
      [{ ...ok, SyncFromOldSystem: undefined }, 90030],
      [{ ...ok, SyncFromOldSystem: 3 }, 90030],
      [{ ...ok, SyncFromOldSystem: '2' }, 90030],
      [{ ...ok, From_Account: undefined }, 90008],
      [{ ...ok, From_Account: 'nobody' }, 90008],
      [{ ...ok, From_Account: 'gone' }, 90008],
      [{ ...ok, To_Account: undefined }, 90003],
      [{ ...ok, To_Account: 7 }, 90003],
      [{ ...ok, To_Account: 'nobody' }, 90012],
      [{ ...ok, To_Account: 'gone' }, 90012],
      [{ ...ok, MsgRandom: undefined }, 90005],
      [{ ...ok, MsgRandom: -1 }, 90005],
      [{ ...ok, MsgTimeStamp: undefined }, 90006],
      [{ ...ok, MsgTimeStamp: 'yesterday' }, 90006],
      [{ ...ok, MsgTimeStamp: Math.floor(s.clock.nowMs() / 1000) + 60 }, 90006],
      [{ ...ok, MsgBody: 'hi' }, 90007],
      [{ ...ok, MsgBody: [] }, 90002],
      [{ ...ok, MsgSeq: 1.5 }, 90010],
      [{ ...ok, CloudCustomData: 5 }, 90010],
      [{ ...ok, MsgBody: text('x'.repeat(13_000)) }, 90010],
    ];
    for (const [body, code] of cases) assertRefused(await s.call('openim/importmsg', body), code);
    assert.equal((await roam('ann', 'ben')).some((m) => m['MsgSeq'] === 77), false);
  });
});
