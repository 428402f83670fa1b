import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertRefused, startServer, type TestServer } from './helpers.js';
import { eventually, rawSocket, userQuery } from './stream-clients.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('owner', 'peter', 'leckie', 'outsider');
});
after(() => s.close());

type Frame = Record<string, unknown>;

test('a system notification reaches online members on the event stream and is never stored (Tencent: online only, no roaming)', async () => {
  const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', Owner_Account: 'owner', MemberList: [{ Member_Account: 'peter' }, { Member_Account: 'leckie' }] }))['GroupId'] as string;
  const peter = rawSocket(s.url, userQuery('peter'));
  const leckie = rawSocket(s.url, userQuery('leckie'));
  await eventually(() => peter.frames.length > 0 && leckie.frames.length > 0, 'both to connect');
  await s.ok('group_open_http_svc/send_group_system_notification', { GroupId: groupId, Content: 'Hello World' });
  await s.ok('group_open_http_svc/send_group_system_notification', { GroupId: groupId, ToMembers_Account: ['leckie'], Content: 'only leckie' });
  const notices = (frames: readonly unknown[]) =>
    frames.map((f) => JSON.parse(String(f)) as Frame).filter((f) => f['Event'] === 'Group.SystemNotification').map((f) => [f['GroupId'], f['TopicId'], f['Content']]);
  await eventually(() => notices(leckie.frames).length === 2, 'leckie to get both');
  assert.deepEqual(notices(leckie.frames), [[groupId, '', 'Hello World'], [groupId, '', 'only leckie']]);
  assert.deepEqual(notices(peter.frames), [[groupId, '', 'Hello World']]);
  const h = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 20, WithRecalledMsg: 1 });
  assert.deepEqual(h['RspMsgList'], [], 'nothing in history');
  const info = ((await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Frame[])[0];
  assert.equal(info?.['NextMsgSeq'], 1, 'no MsgSeq taken');
});

test('system notifications in topics and AVChatRoom groups; the checks', async () => {
  const community = (await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', SupportTopic: 1, Owner_Account: 'owner' }))['GroupId'] as string;
  const topicId = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: community, TopicName: 't' }))['TopicId'] as string;
  await s.ok('group_open_http_svc/send_group_system_notification', { GroupId: community, TopicId: topicId, Content: 'in the topic' });
  const e = s.events.find((x) => x.type === 'group.system' && x.groupId === community);
  assert.ok(e?.type === 'group.system' && e.topicId === topicId && e.content === 'in the topic');
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: community, TopicId: `${community}@TOPIC#_nope`, Content: 'x' }), 10010);

  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live' }))['GroupId'] as string;
  await s.ok('group_open_http_svc/send_group_system_notification', { GroupId: av, Content: 'to everyone' });
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: av, ToMembers_Account: ['peter'], Content: 'x' }), 10007);

  const groupId = (await s.ok('group_open_http_svc/create_group', { Type: 'Private', Name: 'p', Owner_Account: 'owner' }))['GroupId'] as string;
  const before = s.events.length;
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: groupId, ToMembers_Account: ['outsider'], Content: 'x' }), 10004);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: groupId }), 10004);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: groupId, Content: 5 }), 10004);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: groupId, Content: 'x'.repeat(12289) }), 10004);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: groupId, ToMembers_Account: Array.from({ length: 501 }, (_, i) => `u${i}`), Content: 'x' }), 10004);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: '@TGS#NOSUCHGRP', Content: 'x' }), 10010);
  assertRefused(await s.call('group_open_http_svc/send_group_system_notification', { GroupId: 'bad id', Content: 'x' }), 10015);
  assert.equal(s.events.length, before, 'a refused notification is not delivered');
});
