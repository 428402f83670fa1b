import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventFrame } from '../src/client/index.js';
import { startServer, type TestServer, text } from './helpers.js';
import { type Watcher, watch } from './stream-clients.js';

// The event stream (docs/events.md) through real WebSocket clients on loopback: who gets which
// frame, with what content, on every device; resuming from an offset; resync.

let s: TestServer;
const watchers: Watcher[] = [];
const on = async (user: string, options: Parameters<typeof watch>[2] = {}): Promise<Watcher> => {
  const w = await watch(s.url, user, options);
  watchers.push(w);
  return w;
};
before(async () => {
  s = await startServer();
  await s.users('alice', 'bob', 'carol', 'dave', 'erin');
});
after(async () => {
  for (const w of watchers) w.stream.close();
  await s.close();
});

const roam = async (a: string, b: string) => (await s.ok('openim/admin_getroammsg', { Operator_Account: a, Peer_Account: b, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 }))['MsgList'] as Record<string, unknown>[];
const without = (frame: EventFrame, ...keys: string[]) => Object.fromEntries(Object.entries(frame).filter(([k]) => !keys.includes(k)));

describe('one-to-one messages', () => {
  test('both parties, on every device, get the new message, its modification with the new content, and its recall', async () => {
    const alice = await on('alice');
    const bob1 = await on('bob', { platform: 'iPhone' });
    const bob2 = await on('bob', { platform: 'PC' });
    const sent = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('hello'), CloudCustomData: 'c1' });
    for (const w of [alice, bob1, bob2]) {
      const [e] = await w.wait(1);
      assert.ok(e !== undefined);
      assert.equal(e.Event, 'C2C.NewMsg');
      // The other fields are exactly those of the admin_getroammsg entry.
      assert.deepEqual(without(e, 'Event', 'Offset', 'Epoch'), (await roam('bob', 'alice'))[0]);
    }
    await s.ok('openim/modify_c2c_msg', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'], MsgBody: text('hello, edited'), CloudCustomData: 'c2' });
    for (const w of [alice, bob1, bob2]) {
      const e = (await w.wait(2))[1];
      assert.ok(e !== undefined && e.Event === 'C2C.MsgModified');
      assert.deepEqual(e.MsgBody, text('hello, edited'));
      assert.equal(e.CloudCustomData, 'c2');
      assert.equal(e.MsgKey, sent['MsgKey']);
      assert.deepEqual(without(e, 'Event', 'Offset', 'Epoch'), (await roam('alice', 'bob'))[0]);
      assert.equal(e.Offset, (w.events[0]?.Offset ?? 0) + 1, 'offsets grow by one per event');
    }
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent['MsgKey'] });
    for (const w of [alice, bob1, bob2]) {
      const e = (await w.wait(3))[2];
      assert.ok(e !== undefined && e.Event === 'C2C.MsgRecalled');
      assert.equal(e.MsgFlagBits, 8);
      assert.deepEqual(e.MsgBody, []);
      assert.deepEqual(without(e, 'Event', 'Offset', 'Epoch'), (await roam('alice', 'bob'))[0]);
    }
    // SyncOtherMachine 2 keeps the message off the sender's devices.
    await s.ok('openim/sendmsg', { SyncOtherMachine: 2, From_Account: 'bob', To_Account: 'alice', MsgRandom: 2, MsgBody: text('quiet') });
    await alice.wait(4);
    await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 3, MsgBody: text('after') });
    const bobs = await bob1.wait(4);
    assert.deepEqual(bobs.map((e) => e.Event === 'C2C.NewMsg' && e.MsgBody), [text('hello'), false, false, text('after')]);
    assert.deepEqual(bob2.events.map((e) => e.Offset), bob1.events.map((e) => e.Offset), 'every device of a user sees the same stream');
    for (const w of [alice, bob1, bob2]) w.stream.close();
  });
});

describe('groups', () => {
  test('every member gets group events; a targeted message reaches only its recipients and sender', async () => {
    const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', Owner_Account: 'alice', MemberList: [{ Member_Account: 'bob' }, { Member_Account: 'carol' }] }))['GroupId'] as string;
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((u) => on(u)));
    assert.ok(alice && bob && carol && dave);
    const isGroup = (e: EventFrame) => e.Event.startsWith('Group.');
    const all = await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: 'bob', Random: 1, MsgBody: text('to all'), CloudCustomData: 'x' });
    for (const w of [alice, bob, carol]) {
      const [e] = await w.wait(1, isGroup);
      assert.ok(e !== undefined && e.Event === 'Group.NewMsg');
      const page = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 1 });
      assert.deepEqual(without(e, 'Event', 'Offset', 'Epoch'), { GroupId: groupId, TopicId: '', ...(page['RspMsgList'] as object[])[0] });
      assert.equal(e.MsgSeq, all['MsgSeq']);
    }
    const targeted = await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: 'alice', Random: 2, MsgBody: text('bob only'), To_Account: ['bob'] });
    await s.ok('openim/modify_group_msg', { GroupId: groupId, MsgSeq: targeted['MsgSeq'], MsgBody: text('bob only, edited') });
    await s.ok('openim/modify_group_msg', { GroupId: groupId, MsgSeq: all['MsgSeq'], MsgBody: text('to all, edited') });
    await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: targeted['MsgSeq'] }] });
    await s.ok('group_open_http_svc/add_group_member', { GroupId: groupId, MemberList: [{ Member_Account: 'dave' }] });
    await s.ok('group_open_http_svc/delete_group_member', { GroupId: groupId, MemberToDel_Account: ['carol'] });
    await s.ok('group_open_http_svc/destroy_group', { GroupId: groupId });
    const seen = (w: Watcher) => w.events.filter(isGroup).map((e) => `${e.Event}${'MsgBody' in e ? ` ${JSON.stringify(e.MsgBody)}` : ''}${'MemberList' in e ? ` ${e.Action} ${e.MemberList.join(',')}` : ''}`);
    const body = (t: string) => JSON.stringify(text(t));
    await alice.wait(8, isGroup);
    await bob.wait(8, isGroup);
    await carol.wait(4, isGroup);
    await dave.wait(3, isGroup);
    const targetedFrames = [`Group.NewMsg ${body('bob only')}`, `Group.MsgModified ${body('bob only, edited')}`];
    const tail = [`Group.MsgRecalled []`, 'Group.MemberChanged Added dave', 'Group.MemberChanged Removed carol', 'Group.Destroyed'];
    assert.deepEqual(seen(alice), [`Group.NewMsg ${body('to all')}`, ...targetedFrames, `Group.MsgModified ${body('to all, edited')}`, ...tail]);
    assert.deepEqual(seen(bob), seen(alice));
    assert.deepEqual(seen(carol), [`Group.NewMsg ${body('to all')}`, `Group.MsgModified ${body('to all, edited')}`, 'Group.MemberChanged Added dave', 'Group.MemberChanged Removed carol']);
    assert.deepEqual(seen(dave), ['Group.MemberChanged Added dave', 'Group.MemberChanged Removed carol', 'Group.Destroyed']);
    const destroyed = alice.events.at(-1);
    assert.deepEqual(destroyed && without(destroyed, 'Offset', 'Epoch'), { Event: 'Group.Destroyed', GroupId: groupId, Operator_Account: 'administrator' });
    for (const w of [alice, bob, carol, dave]) w.stream.close();
  });
});

describe('resuming', () => {
  test('a client that reconnects with its last offset gets exactly what it missed, then live events', async () => {
    const erin = await on('erin');
    const send = (n: number) => s.ok('openim/sendmsg', { From_Account: 'dave', To_Account: 'erin', MsgRandom: 100 + n, MsgBody: text(`m${n}`) });
    for (let n = 1; n <= 3; n++) await send(n);
    await erin.wait(3);
    const left = erin.stream.position();
    assert.ok(left !== undefined);
    erin.stream.close();
    for (let n = 4; n <= 6; n++) await send(n);
    const back = await on('erin', { resume: left });
    const connected = await back.stream.connected();
    assert.equal(connected.Recovered, true);
    assert.equal(connected.Resync, false);
    assert.equal(connected.Epoch, left.epoch);
    await send(7);
    const got = await back.wait(4);
    assert.deepEqual(got.map((e) => e.Event === 'C2C.NewMsg' && e.MsgBody), [4, 5, 6, 7].map((n) => text(`m${n}`)));
    assert.deepEqual(got.map((e) => e.Offset), [1, 2, 3, 4].map((n) => left.offset + n));
    back.stream.close();
  });

  test('another epoch, or events gone past the retention, tell the client to resync from history', async () => {
    const w = await on('erin');
    const epoch = (await w.stream.connected()).Epoch;
    w.stream.close();
    const stranger = await on('erin', { resume: { offset: 1, epoch: 'another-epoch' } });
    const c = await stranger.stream.connected();
    assert.deepEqual([c.Recovered, c.Resync, c.Epoch], [false, true, epoch]);
    assert.equal(stranger.resyncs.length, 1);
    const ahead = await on('erin', { resume: { offset: 1_000_000, epoch } });
    assert.equal((await ahead.stream.connected()).Resync, true);
    for (const x of [stranger, ahead]) x.stream.close();
  });
});

describe('retention', () => {
  test('past the retained count or age, resuming says resync; within both, it recovers', async () => {
    const r = await startServer({ env: { PARLEY_EVENTS_RETAIN_COUNT: '3', PARLEY_EVENTS_RETAIN_SECONDS: '60' } });
    try {
      await r.users('p', 'q');
      const send = (n: number) => r.ok('openim/sendmsg', { From_Account: 'p', To_Account: 'q', MsgRandom: n, MsgBody: text(`r${n}`) });
      const q = await watch(r.url, 'q');
      await send(1);
      await q.wait(1);
      const left = q.stream.position();
      assert.ok(left !== undefined);
      q.stream.close();
      for (let n = 2; n <= 4; n++) await send(n);
      const within = await watch(r.url, 'q', { resume: left });
      assert.equal((await within.stream.connected()).Recovered, true, '3 missed, 3 kept');
      assert.equal((await within.wait(3)).length, 3);
      within.stream.close();
      for (let n = 5; n <= 8; n++) await send(n);
      const tooMany = await watch(r.url, 'q', { resume: within.stream.position() });
      assert.equal((await tooMany.stream.connected()).Resync, true, '4 missed, 3 kept');
      const fresh = tooMany.stream.position();
      tooMany.stream.close();
      await send(9);
      r.clock.advance(61);
      const tooOld = await watch(r.url, 'q', { resume: fresh });
      assert.equal((await tooOld.stream.connected()).Resync, true, 'the missed event is older than 60 s');
      assert.equal(tooOld.resyncs.length, 1);
      tooOld.stream.close();
    } finally {
      await r.close();
    }
  });
});

test('events wait for nobody: a modification with nobody connected is answered and reaches no stream', async () => {
  const sent = await s.ok('openim/sendmsg', { From_Account: 'carol', To_Account: 'dave', MsgRandom: 77, MsgBody: text('x') });
  await s.ok('openim/modify_c2c_msg', { From_Account: 'carol', To_Account: 'dave', MsgKey: sent['MsgKey'], MsgBody: text('y') });
  const dave = await on('dave');
  const c = await dave.stream.connected();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(dave.events.length, 0, 'a fresh connection starts from now');
  assert.ok(c.Offset >= 0);
  dave.stream.close();
});
