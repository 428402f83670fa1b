import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertRefused, startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
let now: number;
before(async () => {
  s = await startServer();
  await s.users('leckie', 'peter', 'tommy', 'jared');
  s.clock.freeze();
  now = Math.floor(s.clock.nowMs() / 1000);
});
after(() => s.close());

type Msg = Record<string, unknown>;
const history = async (groupId: string, n = 20): Promise<Msg[]> =>
  (await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: n, WithRecalledMsg: 1 }))['RspMsgList'] as Msg[];
const importGroup = async (body: Record<string, unknown>): Promise<string> => (await s.ok('group_open_http_svc/import_group', body))['GroupId'] as string;
const msg = (from: string, time: number, t: string, extra: Record<string, unknown> = {}) => ({ From_Account: from, SendTime: time, MsgBody: text(t), ...extra });

test('import_group keeps the historical CreateTime; the owner is the only member', async () => {
  const groupId = await importGroup({ Owner_Account: 'leckie', Type: 'Public', Name: 'old', CreateTime: now - 86400 });
  const info = ((await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[])[0];
  assert.equal(info?.['CreateTime'], now - 86400);
  assert.deepEqual((info?.['MemberList'] as Msg[]).map((m) => [m['Member_Account'], m['Role']]), [['leckie', 'Owner']]);
  assertRefused(await s.call('group_open_http_svc/import_group', { Type: 'AVChatRoom', Name: 'live' }), 10007);
  assertRefused(await s.call('group_open_http_svc/import_group', { Type: 'Public', Name: 'future', CreateTime: now + 60 }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group', { Type: 'Public', Name: 'x', Owner_Account: 'nobody' }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group', { Type: 'Public', Name: 'again', GroupId: 'import-custom' }).then(async () => s.call('group_open_http_svc/import_group', { Type: 'Public', Name: 'again', GroupId: 'import-custom' })), 10021);
});

test('imported messages take MsgSeq 1, 2, … with their SendTime; sends continue after them; they can be modified and recalled', async () => {
  const groupId = await importGroup({ Owner_Account: 'leckie', Type: 'Public', Name: 'history', CreateTime: now - 1000 });
  const r = await s.ok('group_open_http_svc/import_group_msg', {
    GroupId: groupId,
    RecentContactFlag: 1,
    MsgList: [msg('leckie', now - 900, 'first', { Random: 8912345 }), msg('peter', now - 800, 'second', { CloudCustomData: 'ccd' }), msg('leckie', now - 800, 'same second')],
  });
  assert.deepEqual(r['ImportMsgResult'], [
    { MsgSeq: 1, MsgTime: now - 900, Result: 0 },
    { MsgSeq: 2, MsgTime: now - 800, Result: 0 },
    { MsgSeq: 3, MsgTime: now - 800, Result: 0 },
  ]);
  const sent = await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: 1, MsgBody: text('live') });
  assert.equal(sent['MsgSeq'], 4);
  const h = await history(groupId);
  assert.deepEqual(h.map((m) => [m['MsgSeq'], m['From_Account'], m['MsgTimeStamp']]), [[4, 'administrator', now], [3, 'leckie', now - 800], [2, 'peter', now - 800], [1, 'leckie', now - 900]]);
  assert.equal(h[2]?.['CloudCustomData'], 'ccd');
  assert.equal(h[3]?.['MsgRandom'], 8912345);

  await s.ok('openim/modify_group_msg', { GroupId: groupId, MsgSeq: 1, MsgBody: text('first, edited'), CloudCustomData: 'new' });
  const recall = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: 2 }] });
  assert.deepEqual(recall['RecallRetList'], [{ MsgSeq: 2, RetCode: 0 }]);
  const after = await history(groupId);
  assert.deepEqual([after[3]?.['MsgBody'], after[3]?.['CloudCustomData']], [text('first, edited'), 'new']);
  assert.deepEqual([after[2]?.['IsPlaceMsg'], after[2]?.['MsgBody']], [2, []]);
  // Nothing imported is announced: no event, no callback (Tencent's page).
  assert.equal(s.events.some((e) => e.type === 'group.sent' && e.groupId === groupId && e.seq < 4), false);
});

test('per message: a SendTime in the future, before the group or before its newest message is Result 10004; the rest proceed', async () => {
  const groupId = await importGroup({ Type: 'Public', Name: 'times', CreateTime: now - 1000 });
  const r = await s.ok('group_open_http_svc/import_group_msg', {
    GroupId: groupId,
    MsgList: [msg('leckie', now - 500, 'ok'), msg('leckie', now - 600, 'out of order'), msg('leckie', now - 2000, 'before the group'), msg('leckie', now + 10, 'future'), msg('leckie', now - 400, 'ok too')],
  });
  assert.deepEqual(
    (r['ImportMsgResult'] as Msg[]).map((x) => [x['MsgSeq'], x['Result']]),
    [[1, 0], [0, 10004], [0, 10004], [0, 10004], [2, 0]],
  );
  assert.deepEqual((await history(groupId)).map((m) => m['MsgSeq']), [2, 1]);
  // After a send, an import older than it is out of order.
  await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: 7, MsgBody: text('now') });
  const late = await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [msg('peter', now - 10, 'late')] });
  assert.deepEqual(late['ImportMsgResult'], [{ MsgSeq: 0, MsgTime: now - 10, Result: 10004 }]);
});

test('a repeated import (same Random, near in time) is answered with the first MsgSeq and stores nothing', async () => {
  const groupId = await importGroup({ Type: 'Public', Name: 'retry', CreateTime: now - 1000 });
  const batch = { GroupId: groupId, MsgList: [msg('leckie', now - 100, 'a', { Random: 11 }), msg('peter', now - 90, 'b', { Random: 12 })] };
  const first = await s.ok('group_open_http_svc/import_group_msg', batch);
  const again = await s.ok('group_open_http_svc/import_group_msg', batch);
  assert.deepEqual(again['ImportMsgResult'], first['ImportMsgResult']);
  assert.equal((await history(groupId)).length, 2);
});

test('an oversized message is Result 80002 and the others are imported', async () => {
  const groupId = await importGroup({ Type: 'Public', Name: 'big', CreateTime: now - 1000 });
  const r = await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [msg('leckie', now - 10, 'x'.repeat(13000)), msg('leckie', now - 5, 'small')] });
  assert.deepEqual((r['ImportMsgResult'] as Msg[]).map((x) => [x['MsgSeq'], x['Result']]), [[0, 80002], [1, 0]]);
});

test('bad input to import_group_msg is refused whole with its code, and imports nothing', async () => {
  const groupId = await importGroup({ Type: 'Public', Name: 'bad', CreateTime: now - 1000 });
  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live' }))['GroupId'];
  const one = [msg('leckie', now - 10, 'x')];
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: '@TGS#NOSUCHGRP', MsgList: one }), 10010);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: 'has space', MsgList: one }), 10015);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: av, MsgList: one }), 10007);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: Array.from({ length: 8 }, (_, i) => msg('leckie', now - 100 + i, `m${i}`)) }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [] }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [msg('leckie', now - 20, 'ok'), msg('ghost', now - 10, 'who')] }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [{ From_Account: 'leckie', MsgBody: text('no time') }] }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [{ From_Account: 'leckie', SendTime: now - 5, MsgBody: [] }] }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [msg('leckie', now - 5, 'x', { Random: -1 })] }), 10004);
  assert.equal((await history(groupId)).length, 0);
});

test('import_group_member: join times, roles, unread counts, results 0/1/2, and the checks', async () => {
  const groupId = await importGroup({ Owner_Account: 'leckie', Type: 'Private', Name: 'members', CreateTime: now - 1000 });
  await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [1, 2, 3, 4, 5].map((i) => msg('leckie', now - 500 + i, `m${i}`)) });
  const r = await s.ok('group_open_http_svc/import_group_member', {
    GroupId: groupId,
    MemberList: [
      { Member_Account: 'tommy', Role: 'Admin', JoinTime: now - 900, UnreadMsgNum: 2 },
      { Member_Account: 'jared', JoinTime: now - 800, UnreadMsgNum: 50 },
      { Member_Account: 'leckie' },
      { Member_Account: 'ghost' },
      { Member_Account: 'peter', JoinTime: now - 5000 },
    ],
  });
  assert.deepEqual((r['MemberList'] as Msg[]).map((m) => [m['Member_Account'], m['Result']]), [['tommy', 1], ['jared', 1], ['leckie', 2], ['ghost', 0], ['peter', 0]]);
  const info = ((await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[])[0];
  const members = new Map((info?.['MemberList'] as Msg[]).map((m) => [m['Member_Account'], m]));
  assert.deepEqual([members.get('tommy')?.['Role'], members.get('tommy')?.['JoinTime'], members.get('tommy')?.['MsgSeq']], ['Admin', now - 900, 3]);
  // More unread than the group has messages: all of them are unread.
  assert.equal(members.get('jared')?.['MsgSeq'], 0);
  assert.equal(members.has('peter'), false);

  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live' }))['GroupId'];
  assertRefused(await s.call('group_open_http_svc/import_group_member', { GroupId: av, MemberList: [{ Member_Account: 'peter' }] }), 10007);
  assertRefused(await s.call('group_open_http_svc/import_group_member', { GroupId: '@TGS#NOSUCHGRP', MemberList: [{ Member_Account: 'peter' }] }), 10010);
  assertRefused(await s.call('group_open_http_svc/import_group_member', { GroupId: groupId, MemberList: Array.from({ length: 21 }, (_, i) => ({ Member_Account: `u${i}` })) }), 10004);
  assertRefused(await s.call('group_open_http_svc/import_group_member', { GroupId: groupId, MemberList: [{ Member_Account: 'peter', Role: 'Owner' }] }), 10004);
  const small = await importGroup({ Owner_Account: 'leckie', Type: 'Public', Name: 'small', MaxMemberCount: 2, CreateTime: now - 100 });
  assertRefused(await s.call('group_open_http_svc/import_group_member', { GroupId: small, MemberList: [{ Member_Account: 'peter' }, { Member_Account: 'tommy' }] }), 10014);
});

test('import_group_msg makes every member\'s unread count 0; set_unread_msg_num moves it back', async () => {
  const groupId = await importGroup({ Owner_Account: 'leckie', Type: 'Public', Name: 'unread', CreateTime: now - 1000 });
  await s.ok('group_open_http_svc/import_group_member', { GroupId: groupId, MemberList: [{ Member_Account: 'peter', JoinTime: now - 999 }] });
  await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [1, 2, 3, 4].map((i) => msg('peter', now - 100 + i, `m${i}`)) });
  const readSeq = async (who: string) => {
    const info = ((await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[])[0];
    return (info?.['MemberList'] as Msg[]).find((m) => m['Member_Account'] === who)?.['MsgSeq'];
  };
  assert.deepEqual([await readSeq('leckie'), await readSeq('peter')], [4, 4]);
  await s.ok('group_open_http_svc/set_unread_msg_num', { GroupId: groupId, Member_Account: 'peter', UnreadMsgNum: 3 });
  assert.equal(await readSeq('peter'), 1);
  await s.ok('group_open_http_svc/set_unread_msg_num', { GroupId: groupId, Member_Account: 'peter', UnreadMsgNum: 99 });
  assert.equal(await readSeq('peter'), 0);
  assert.equal(await readSeq('leckie'), 4, 'the others keep theirs');

  assertRefused(await s.call('group_open_http_svc/set_unread_msg_num', { GroupId: groupId, Member_Account: 'tommy', UnreadMsgNum: 1 }), 10004);
  assertRefused(await s.call('group_open_http_svc/set_unread_msg_num', { GroupId: groupId, Member_Account: 'peter', UnreadMsgNum: -1 }), 10004);
  assertRefused(await s.call('group_open_http_svc/set_unread_msg_num', { GroupId: groupId, Member_Account: 'peter' }), 10004);
  assertRefused(await s.call('group_open_http_svc/set_unread_msg_num', { GroupId: '@TGS#NOSUCHGRP', Member_Account: 'peter', UnreadMsgNum: 1 }), 10010);
  assertRefused(await s.call('group_open_http_svc/set_unread_msg_num', { GroupId: 'bad id', Member_Account: 'peter', UnreadMsgNum: 1 }), 10015);
  // ChatRoom and AVChatRoom count no unread messages: success, nothing changes (Tencent's page).
  const room = (await s.ok('group_open_http_svc/create_group', { Type: 'ChatRoom', Name: 'room', Owner_Account: 'leckie' }))['GroupId'];
  await s.ok('group_open_http_svc/set_unread_msg_num', { GroupId: room, Member_Account: 'leckie', UnreadMsgNum: 3 });
});
