import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertRefused, startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('spammer', 'alice', 'never-sent');
});
after(() => s.close());

type Msg = Record<string, unknown>;
const history = async (groupId: string, withRecalled: 0 | 1, topicId?: string): Promise<Msg[]> =>
  (await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 20, WithRecalledMsg: withRecalled, ...(topicId ? { TopicId: topicId } : {}) }))['RspMsgList'] as Msg[];
const send = (groupId: string, from: string, t: string, topicId?: string) =>
  s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: from, Random: Math.floor(Math.random() * 1e9), MsgBody: text(t), CloudCustomData: `ccd ${t}`, ...(topicId ? { TopicId: topicId } : {}) });

test('delete_group_msg_by_sender recalls the sender\'s messages, content gone; history shows them as recalled (Tencent: silent recall)', async () => {
  const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', MemberList: [{ Member_Account: 'spammer' }, { Member_Account: 'alice' }] }))['GroupId'] as string;
  await send(groupId, 'spammer', 'spam 1');
  await send(groupId, 'alice', 'hello');
  await send(groupId, 'spammer', 'spam 2');
  const eventsBefore = s.events.length;
  await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'spammer' });
  assert.deepEqual((await history(groupId, 0)).map((m) => m['MsgSeq']), [2], 'only alice\'s message without WithRecalledMsg');
  const all = await history(groupId, 1);
  assert.deepEqual(all.map((m) => [m['MsgSeq'], m['From_Account'], m['IsPlaceMsg'], m['MsgBody'], m['CloudCustomData']]), [
    [3, 'spammer', 2, [], ''],
    [2, 'alice', 0, text('hello'), 'ccd hello'],
    [1, 'spammer', 2, [], ''],
  ]);
  assert.equal(s.events.length, eventsBefore, 'a silent recall: no event');
  // A recalled message stays recalled: modify and recall answer as for any recalled message.
  assertRefused(await s.call('openim/modify_group_msg', { GroupId: groupId, MsgSeq: 1, MsgBody: text('x') }), 20023);
  const again = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: 3 }] });
  assert.deepEqual(again['RecallRetList'], [{ MsgSeq: 3, RetCode: 10032 }]);
  // The group goes on: the next message takes the next MsgSeq.
  assert.equal((await send(groupId, 'alice', 'after'))['MsgSeq'], 4);
  // Again, and for a sender with nothing there: success, nothing changes.
  await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'spammer' });
  await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'never-sent' });
  assert.equal((await history(groupId, 0)).length, 2);
});

test('only the newest 1,000 messages are searched, in the group and in each of its topics', async () => {
  const groupId = (await s.ok('group_open_http_svc/import_group', { Type: 'Community', Name: 'c', SupportTopic: 1, Owner_Account: 'spammer', CreateTime: Math.floor(s.clock.nowMs() / 1000) - 5000 }))['GroupId'] as string;
  const topicId = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: groupId, TopicName: 't' }))['TopicId'] as string;
  const start = Math.floor(s.clock.nowMs() / 1000) - 4000;
  // MsgSeq 1 by the spammer, then 1,000 by alice: the spammer's message is older than the newest 1,000.
  await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: [{ From_Account: 'spammer', SendTime: start, MsgBody: text('old spam') }] });
  for (let i = 0; i < 1000; i += 7) {
    const list = Array.from({ length: Math.min(7, 1000 - i) }, (_, j) => ({ From_Account: 'alice', SendTime: start + 1 + i + j, MsgBody: text(`a${i + j}`) }));
    await s.ok('group_open_http_svc/import_group_msg', { GroupId: groupId, MsgList: list });
  }
  await send(groupId, 'spammer', 'topic spam', topicId);
  await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'spammer' });
  const oldest = (await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 1, ReqMsgSeq: 1, WithRecalledMsg: 1 }))['RspMsgList'] as Msg[];
  assert.deepEqual([oldest[0]?.['IsPlaceMsg'], oldest[0]?.['MsgBody']], [0, text('old spam')], 'outside the newest 1,000: kept');
  const topic = await history(groupId, 1, topicId);
  assert.deepEqual(topic.map((m) => [m['IsPlaceMsg'], m['MsgBody']]), [[2, []]], 'the topic\'s message is recalled');
});

test('delete_group_msg_by_sender: the checks', async () => {
  const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'checks' }))['GroupId'] as string;
  assertRefused(await s.call('group_open_http_svc/delete_group_msg_by_sender', { GroupId: '@TGS#NOSUCHGRP', Sender_Account: 'spammer' }), 10010);
  assertRefused(await s.call('group_open_http_svc/delete_group_msg_by_sender', { GroupId: 'bad id', Sender_Account: 'spammer' }), 10015);
  assertRefused(await s.call('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId }), 10004);
  assertRefused(await s.call('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'has space' }), 10004);
  assertRefused(await s.call('group_open_http_svc/delete_group_msg_by_sender', { GroupId: groupId, Sender_Account: 'ghost' }), 10004);
  // An AVChatRoom keeps no history: success, nothing to do (Tencent's page).
  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live' }))['GroupId'];
  await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: av, Sender_Account: 'spammer' });
});
