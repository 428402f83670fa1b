import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertRefused, startServer, type TestServer, text } from './helpers.js';

// get_appid_group_list, get_joined_group_list and modify_topic through real HTTP. test/run.mjs runs
// this file on PostgreSQL too.

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('o', 'joiner', 'other', 'editor');
});
after(() => s.close());

type Msg = Record<string, unknown>;
const G = 'group_open_http_svc';
const T = 'million_group_open_http_svc';
let unique = 0;
const create = async (body: Msg) => (await s.ok(`${G}/create_group`, { Name: `g${++unique}`, Owner_Account: 'o', ...body }))['GroupId'] as string;
const ids = (r: Msg) => (r['GroupIdList'] as { GroupId: string }[]).map((g) => g.GroupId);

describe('get_appid_group_list', () => {
  test('pages by Limit and Next neither skip nor repeat a group while others are created and destroyed', async () => {
    const stable: string[] = [];
    for (let i = 0; i < 7; i++) stable.push(await create({ Type: i % 2 === 0 ? 'Public' : 'Private' }));
    const doomed: string[] = [];
    for (let i = 0; i < 4; i++) doomed.push(await create({ Type: 'Public' }));
    const first = await s.ok(`${G}/get_appid_group_list`, {});
    const total = first['TotalCount'] as number;
    assert.equal(ids(first).length, total, 'without Limit every group comes in one page');
    assert.equal(first['Next'], 0);

    const seen: string[] = [];
    let next = 0;
    let pages = 0;
    do {
      const page = await s.ok(`${G}/get_appid_group_list`, { Limit: 3, Next: next });
      assert.ok(ids(page).length <= 3);
      seen.push(...ids(page));
      next = page['Next'] as number;
      // Between pages: a group is destroyed and another created.
      const gone = doomed.pop();
      if (gone !== undefined) await s.ok(`${G}/destroy_group`, { GroupId: gone });
      await create({ Type: 'ChatRoom' });
      pages++;
    } while (next !== 0 && pages < 100);
    assert.equal(new Set(seen).size, seen.length, 'no group listed twice');
    for (const id of stable) assert.ok(seen.includes(id), `${id} listed`);
  });

  test('GroupType filters (Private matches Work), TotalCount counts the type whatever the page', async () => {
    const work = await create({ Type: 'Work' });
    const privateGroup = await create({ Type: 'Private' });
    const all = await s.ok(`${G}/get_appid_group_list`, { GroupType: 'Private' });
    assert.ok(ids(all).includes(work) && ids(all).includes(privateGroup));
    const one = await s.ok(`${G}/get_appid_group_list`, { GroupType: 'Private', Limit: 1 });
    assert.equal(ids(one).length, 1);
    assert.equal(one['TotalCount'], all['TotalCount']);
    assert.ok((one['Next'] as number) > 0);
    const community = await s.ok(`${G}/get_appid_group_list`, { GroupType: 'BChatRoom' });
    assert.deepEqual(community, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', TotalCount: 0, GroupIdList: [], Next: 0 });
  });

  test('bad Limit, Next and GroupType are refused with 10004', async () => {
    for (const body of [{ Limit: 10001 }, { Limit: -1 }, { Limit: '5' }, { Next: -1 }, { Next: 1.5 }, { GroupType: 'Secret' }]) {
      assertRefused(await s.call(`${G}/get_appid_group_list`, body), 10004);
    }
  });
});

describe('get_joined_group_list', () => {
  test('groups in join order, AVChatRoom only on request, Limit/Offset pages, filters and SelfInfo', async () => {
    await s.users('j2');
    const joined: string[] = [];
    for (const type of ['Public', 'Work', 'ChatRoom', 'Community']) {
      joined.push(await create({ Type: type, MemberList: [{ Member_Account: 'j2' }] }));
      s.clock.advance(1);
    }
    // Members join an AVChatRoom themselves; its owner is one.
    const av = await create({ Type: 'AVChatRoom', Owner_Account: 'j2' });
    await create({ Type: 'Public' }); // not joined

    const basic = await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j2' });
    assert.deepEqual(basic, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', TotalCount: 4, GroupIdList: joined.map((GroupId) => ({ GroupId })) });
    const huge = await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j2', WithHugeGroups: 1, WithNoActiveGroups: 1 });
    assert.deepEqual(ids(huge), [...joined, av]);
    assert.deepEqual(ids(await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j2', GroupType: 'AVChatRoom' })), [av]);
    assert.deepEqual(ids(await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j2', GroupType: 'Private' })), [joined[1]]);

    const page = await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j2', Limit: 2, Offset: 1 });
    assert.deepEqual(ids(page), joined.slice(1, 3));
    assert.equal(page['TotalCount'], 4);

    const filtered = await s.ok(`${G}/get_joined_group_list`, {
      Member_Account: 'j2',
      Limit: 1,
      ResponseFilter: { GroupBaseInfoFilter: ['Type', 'Name', 'MemberNum', 'Owner_Account', 'ShutUpAllMember'], SelfInfoFilter: ['Role', 'JoinTime', 'MsgSeq', 'MsgFlag'] },
    });
    const [first] = filtered['GroupIdList'] as Msg[];
    assert.deepEqual(Object.keys(first ?? {}).sort(), ['GroupId', 'MemberNum', 'MuteAllMember', 'Name', 'Owner_Account', 'SelfInfo', 'Type']);
    assert.equal(first?.['Type'], 'Public');
    assert.equal(first?.['MemberNum'], 2);
    assert.equal(first?.['Owner_Account'], 'o');
    assert.deepEqual(Object.keys(first?.['SelfInfo'] as Msg).sort(), ['JoinTime', 'MsgFlag', 'MsgSeq', 'Role']);
    assert.equal((first?.['SelfInfo'] as Msg)['Role'], 'Member');
  });

  test('SupportTopic 1: only Communities with topics, with GrossTopicNextMsgSeq', async () => {
    await s.users('j3');
    await create({ Type: 'Community', MemberList: [{ Member_Account: 'j3' }] });
    const withTopics = await create({ Type: 'Community', SupportTopic: 1, MemberList: [{ Member_Account: 'j3' }] });
    const topic = (await s.ok(`${T}/create_topic`, { GroupId: withTopics, TopicName: 't' }))['TopicId'] as string;
    for (let i = 0; i < 2; i++) await s.ok(`${G}/send_group_msg`, { GroupId: withTopics, TopicId: topic, Random: ++unique, MsgBody: text('x') });
    const r = await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'j3', SupportTopic: 1 });
    assert.deepEqual(r['GroupIdList'], [{ GroupId: withTopics, Type: 'Community', SupportTopic: 1, GrossTopicNextMsgSeq: 3, SelfInfo: { GrossTopicReadSeq: 0 } }]);
    assert.equal(r['TotalCount'], 1);
  });

  test('bad requests: 10004; an account never imported: 10019', async () => {
    for (const body of [{}, { Member_Account: 5 }, { Member_Account: 'a b' }, { Member_Account: 'joiner', Limit: 5001 }, { Member_Account: 'joiner', Offset: -1 }, { Member_Account: 'joiner', WithHugeGroups: 2 }, { Member_Account: 'joiner', GroupType: 'Nope' }, { Member_Account: 'joiner', ResponseFilter: { GroupBaseInfoFilter: 'Name' } }]) {
      assertRefused(await s.call(`${G}/get_joined_group_list`, body), 10004);
    }
    assertRefused(await s.call(`${G}/get_joined_group_list`, { Member_Account: 'never' }), 10019);
    assert.deepEqual(await s.ok(`${G}/get_joined_group_list`, { Member_Account: 'other' }), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', TotalCount: 0, GroupIdList: [] });
  });
});

describe('modify_topic', () => {
  const topicInfo = async (groupId: string, topicId: string) => {
    const r = await s.ok(`${T}/get_topic`, { GroupId: groupId, TopicIdList: [topicId] });
    return ((r['TopicAndSelfInfo'] as Msg[])[0]?.['TopicInfo'] ?? {}) as Msg;
  };

  test('changes the fields given, keeps the others; get_topic shows them', async () => {
    const g = await create({ Type: 'Community', SupportTopic: 1 });
    const topicId = (await s.ok(`${T}/create_topic`, { GroupId: g, TopicName: 'old', Introduction: 'intro', CustomString: 'c0' }))['TopicId'] as string;
    const r = await s.ok(`${T}/modify_topic`, { GroupId: g, TopicId: topicId, From_Account: 'editor', TopicName: 'new', Notification: 'notice', FaceUrl: 'http://f', MuteAllMember: 'On', CustomString: 'c1' });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
    const info = await topicInfo(g, topicId);
    assert.deepEqual([info['TopicName'], info['Notification'], info['FaceUrl'], info['Introduction'], info['CustomString'], info['ShutUpAllFlag']], ['new', 'notice', 'http://f', 'intro', 'c1', 1]);
    await s.ok(`${T}/modify_topic`, { GroupId: g, TopicId: topicId, MuteAllMember: 'Off', Introduction: '' });
    const again = await topicInfo(g, topicId);
    assert.deepEqual([again['TopicName'], again['Introduction'], again['ShutUpAllFlag']], ['new', '', 0]);
  });

  test('refusals change nothing: non-Community (10004), unknown topic or group (10010), malformed GroupId (10015), bad fields (10004)', async () => {
    const g = await create({ Type: 'Community', SupportTopic: 1 });
    const topicId = (await s.ok(`${T}/create_topic`, { GroupId: g, TopicName: 'keep' }))['TopicId'] as string;
    const before = await topicInfo(g, topicId);
    const plain = await create({ Type: 'Public' });
    assertRefused(await s.call(`${T}/modify_topic`, { GroupId: plain, TopicId: topicId, TopicName: 'x' }), 10004);
    assertRefused(await s.call(`${T}/modify_topic`, { GroupId: await create({ Type: 'Community' }), TopicId: topicId, TopicName: 'x' }), 10004);
    assertRefused(await s.call(`${T}/modify_topic`, { GroupId: g, TopicId: `${g}@TOPIC#_nope`, TopicName: 'x' }), 10010);
    assertRefused(await s.call(`${T}/modify_topic`, { GroupId: '@TGS#_NOSUCHGRP', TopicId: topicId, TopicName: 'x' }), 10010);
    assertRefused(await s.call(`${T}/modify_topic`, { GroupId: 'has space', TopicId: topicId }), 10015);
    const bad: Msg[] = [
      {},
      { TopicName: 'x' }, // no TopicId
      { TopicId: topicId, TopicName: 'n'.repeat(151) },
      { TopicId: topicId, TopicName: '' },
      { TopicId: topicId, CustomString: 'c'.repeat(3001) },
      { TopicId: topicId, FaceUrl: 'f'.repeat(101) },
      { TopicId: topicId, Notification: '通'.repeat(101) },
      { TopicId: topicId, Introduction: 'i'.repeat(241) },
      { TopicId: topicId, MuteAllMember: 'Yes' },
      { TopicId: topicId, TopicName: 7 },
      { TopicId: topicId, TopicName: 'x', From_Account: 'never-imported' },
    ];
    for (const body of bad) assertRefused(await s.call(`${T}/modify_topic`, { GroupId: g, ...body }), 10004);
    assert.deepEqual(await topicInfo(g, topicId), before);
  });
});
