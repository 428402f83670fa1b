import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOk, assertRefused, type Reply, startServer, TEST_APP, type TestServer, text } from './helpers.js';

// Answers in exactly Tencent's shapes, limits clamped where Tencent clamps, and Tencent's ids and
// codes: the items of the fidelity issue, each checked on real calls (the conformance suite checks
// the shapes against Tencent's samples; these check the values behind them).

type Msg = Record<string, unknown>;

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('alice', 'bob', 'carol', 'dave');
});
after(() => s.close());

let random = 0;
const next = () => ++random;

async function group(body: Msg): Promise<string> {
  return (await s.ok('group_open_http_svc/create_group', body))['GroupId'] as string;
}

async function sendGroup(groupId: string, extra: Msg = {}): Promise<Reply> {
  return s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text(`m${random}`), ...extra });
}

describe('one-to-one answers', () => {
  test('sendmsg and batchsendmsg answer MsgId "{sender tinyId}-{MsgTime}-{MsgRandom}", the same for the same sender', async () => {
    const one = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 77, MsgBody: text('x') });
    const batch = await s.ok('openim/batchsendmsg', { From_Account: 'alice', To_Account: ['bob', 'carol'], MsgRandom: 78, MsgBody: text('y') });
    const [tinyId, time, rnd] = String(one['MsgId']).split('-');
    assert.match(String(tinyId), /^\d{18}$/);
    assert.deepEqual([Number(time), Number(rnd)], [one['MsgTime'], 77]);
    assert.equal(String(batch['MsgId']).split('-')[0], tinyId);
    assert.notEqual(String((await s.ok('openim/sendmsg', { From_Account: 'bob', To_Account: 'alice', MsgRandom: 77, MsgBody: text('x') }))['MsgId']).split('-')[0], tinyId);
    assert.deepEqual(Object.keys(batch), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'MsgKey', 'MsgId']);
  });

  test('batchsendmsg reports a recipient that does not exist with 70107, and still delivers to the others', async () => {
    const r = await s.ok('openim/batchsendmsg', { From_Account: 'alice', To_Account: ['bob', 'nobody_here', 'not valid'], MsgRandom: next(), MsgBody: text('z') });
    assert.deepEqual(r['ErrorList'], [{ To_Account: 'not valid', ErrorCode: 70107 }, { To_Account: 'nobody_here', ErrorCode: 70107 }]);
    const online = await s.ok('openim/batchsendmsg', { From_Account: 'alice', To_Account: ['bob', 'nobody_here'], MsgLifeTime: 0, MsgRandom: next(), MsgBody: text('z') });
    assert.deepEqual(online['ErrorList'], [{ To_Account: 'nobody_here', ErrorCode: 70107 }]);
  });

  test('admin_getroammsg entries carry IsPeerRead; MaxCnt above 100 is answered with 100 and Complete 0, and the next page has the rest', async () => {
    await s.users('roam_a', 'roam_b');
    for (let i = 0; i < 130; i++) await s.ok('openim/sendmsg', { From_Account: 'roam_a', To_Account: 'roam_b', MsgRandom: next(), MsgBody: text(`r${i}`) });
    const first = await s.ok('openim/admin_getroammsg', { Operator_Account: 'roam_a', Peer_Account: 'roam_b', MaxCnt: 150, MinTime: 0, MaxTime: 4294967295 });
    assert.equal(first['MsgCnt'], 100);
    assert.equal(first['Complete'], 0);
    const entries = first['MsgList'] as Msg[];
    assert.ok(entries.every((m) => m['IsPeerRead'] === 0));
    const rest = await s.ok('openim/admin_getroammsg', { Operator_Account: 'roam_a', Peer_Account: 'roam_b', MaxCnt: 150, MinTime: 0, MaxTime: first['LastMsgTime'], LastMsgKey: first['LastMsgKey'] });
    assert.equal(rest['MsgCnt'], 30);
    assert.equal(rest['Complete'], 1);
    assertRefused(await s.call('openim/admin_getroammsg', { Operator_Account: 'roam_a', Peer_Account: 'roam_b', MaxCnt: 0, MinTime: 0, MaxTime: 1 }), 20001);
  });
});

describe('groups', () => {
  test('a Community takes a custom GroupId only with the @TGS#_ prefix, and its creation answers Type and HugeGroupFlag', async () => {
    const r = await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', GroupId: '@TGS#_my-community', SupportTopic: 1 });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', GroupId: '@TGS#_my-community', HugeGroupFlag: 0, Type: 'Community' });
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', GroupId: 'my-community' }), 10004);
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', GroupId: '@TGS#_' }), 10004);
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Public', Name: 'p', GroupId: '@TGS#_not-a-community' }), 10004);
    assertRefused(await s.call('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', GroupId: '@TGS#_my-community' }), 10021);
    assert.deepEqual(Object.keys(await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'p' })), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'GroupId']);
  });

  test('get_group_info answers every documented field, with real values', async () => {
    const before = Math.floor(s.clock.nowMs() / 1000);
    const groupId = await group({
      Type: 'Public',
      Name: 'info',
      Owner_Account: 'alice',
      AppDefinedData: [{ Key: 'k1', Value: 'v1' }],
      MemberList: [{ Member_Account: 'bob', AppMemberDefinedData: [{ Key: 'm1', Value: 'x' }] }],
    });
    await sendGroup(groupId, { From_Account: 'bob' });
    const info = (await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[];
    const g = info[0] ?? {};
    assert.deepEqual(Object.keys(g), [
      'GroupId', 'ErrorCode', 'ErrorInfo', 'Type', 'Name', 'Appid', 'Introduction', 'Notification', 'FaceUrl', 'Owner_Account', 'CreateTime',
      'InfoSeq', 'LastInfoTime', 'LastMsgTime', 'NextMsgSeq', 'MemberNum', 'MaxMemberNum', 'ApplyJoinOption', 'MuteAllMember', 'AppDefinedData', 'MemberList',
    ]);
    assert.equal(g['Appid'], TEST_APP.sdkappid);
    assert.equal(g['MuteAllMember'], 'Off');
    assert.ok((g['LastInfoTime'] as number) >= before);
    const bob = (g['MemberList'] as Msg[]).find((m) => m['Member_Account'] === 'bob');
    assert.deepEqual(Object.keys(bob ?? {}), ['Member_Account', 'Role', 'JoinTime', 'MsgSeq', 'MsgFlag', 'LastSendMsgTime', 'MuteUntil', 'AppMemberDefinedData']);
    assert.ok((bob?.['LastSendMsgTime'] as number) >= before, 'LastSendMsgTime follows the member\'s sends');
    assert.equal((g['MemberList'] as Msg[]).find((m) => m['Member_Account'] === 'alice')?.['LastSendMsgTime'], 0);
    assert.deepEqual(bob?.['AppMemberDefinedData'], [{ Key: 'm1', Value: 'x' }]);
  });

  test('get_group_info follows ResponseFilter: only what the filters name comes back', async () => {
    const groupId = await group({
      Type: 'Public',
      Name: 'filtered',
      Owner_Account: 'alice',
      AppDefinedData: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }],
      MemberList: [{ Member_Account: 'bob', AppMemberDefinedData: [{ Key: 'm1', Value: 'x' }, { Key: 'm2', Value: 'y' }] }],
    });
    const ask = async (ResponseFilter: Msg) => ((await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId], ResponseFilter }))['GroupInfo'] as Msg[])[0] ?? {};
    assert.deepEqual(await ask({ GroupBaseInfoFilter: ['Name', 'MemberNum', 'ShutUpAllMember'] }), { GroupId: groupId, ErrorCode: 0, ErrorInfo: '', Name: 'filtered', MemberNum: 2, MuteAllMember: 'Off' });
    const members = await ask({ MemberInfoFilter: ['Account', 'Role'], AppDefinedDataFilter_GroupMember: ['m2'] });
    assert.deepEqual((members['MemberList'] as Msg[]).find((m) => m['Member_Account'] === 'bob'), { Member_Account: 'bob', Role: 'Member', AppMemberDefinedData: [{ Key: 'm2', Value: 'y' }] });
    assert.deepEqual(Object.keys(members), ['GroupId', 'ErrorCode', 'ErrorInfo', 'MemberList']);
    assert.deepEqual((await ask({ AppDefinedDataFilter_Group: ['k2'] }))['AppDefinedData'], [{ Key: 'k2', Value: 'v2' }]);
    assertRefused(await s.call('group_open_http_svc/get_group_info', { GroupIdList: [groupId], ResponseFilter: { GroupBaseInfoFilter: 'Name' } }), 10004);
  });

  test('send_group_msg answers MsgDropReason ""', async () => {
    const groupId = await group({ Type: 'Public', Name: 'drop' });
    const r = await sendGroup(groupId);
    assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'MsgTime', 'MsgSeq', 'MsgDropReason']);
    assert.equal(r['MsgDropReason'], '');
    assert.equal((await sendGroup(groupId, { OnlineOnlyFlag: 1 }))['MsgDropReason'], '');
  });

  test('group_msg_get_simple: ReqMsgNumber above 20 is answered with 20 and IsFinished 0; entries carry IsSystemMsg', async () => {
    const groupId = await group({ Type: 'Public', Name: 'history' });
    for (let i = 0; i < 30; i++) await sendGroup(groupId);
    const first = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 25 });
    const list = first['RspMsgList'] as Msg[];
    assert.equal(list.length, 20);
    assert.equal(first['IsFinished'], 0);
    assert.deepEqual([list[0]?.['MsgSeq'], list[19]?.['MsgSeq']], [30, 11]);
    assert.ok(list.every((m) => m['IsSystemMsg'] === 0));
    const rest = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 25, ReqMsgSeq: 10 });
    assert.equal((rest['RspMsgList'] as Msg[]).length, 10);
    assert.equal(rest['IsFinished'], 1);
    const exact = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 20 });
    assert.equal(exact['IsFinished'], 1);
  });

  test('destroy_topic answers 110003 for a topic that is not there (or was destroyed before)', async () => {
    const c = await group({ Type: 'Community', Name: 'c', SupportTopic: 1 });
    const t = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: c, TopicName: 't' }))['TopicId'];
    const once = await s.ok('million_group_open_http_svc/destroy_topic', { GroupId: c, TopicIdList: [t] });
    assert.deepEqual(once['DestroyResultItem'], [{ ErrorCode: 0, ErrorInfo: '', TopicId: t }]);
    const twice = await s.ok('million_group_open_http_svc/destroy_topic', { GroupId: c, TopicIdList: [t] });
    assert.equal((twice['DestroyResultItem'] as Msg[])[0]?.['ErrorCode'], 110003);
  });
});

describe('get_topic answers TopicAndSelfInfo', () => {
  test('each topic with its TopicInfo and From_Account\'s SelfInfo; ResponseFilter narrows TopicInfo', async () => {
    const c = await group({ Type: 'Community', Name: 'c', SupportTopic: 1, Owner_Account: 'alice', MemberList: [{ Member_Account: 'bob', MsgFlag: 'AcceptNotNotify' }] });
    const t = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: c, TopicName: 'news', CustomString: 'cs' }))['TopicId'] as string;
    await sendGroup(c, { TopicId: t });
    const r = await s.ok('million_group_open_http_svc/get_topic', { GroupId: c, From_Account: 'bob' });
    assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'TopicAndSelfInfo']);
    const [item] = r['TopicAndSelfInfo'] as Msg[];
    assert.deepEqual(item?.['SelfInfo'], { ShutUpTime: 0, MsgSeq: 0, MsgFlag: 'AcceptNotNotify' });
    const info = item?.['TopicInfo'] as Msg;
    assert.deepEqual(
      [info['TopicName'], info['GroupID'], info['TopicId'], info['NextMsgSeq'], info['CustomString'], info['ShutUpAllFlag']],
      ['news', c, t, 2, 'cs', 0],
    );
    const filtered = await s.ok('million_group_open_http_svc/get_topic', { GroupId: c, From_Account: 'bob', TopicIdList: [t, `${c}@TOPIC#_gone`], ResponseFilter: ['TopicName'] });
    const [one, missing] = filtered['TopicAndSelfInfo'] as Msg[];
    assert.deepEqual(one?.['TopicInfo'], { TopicName: 'news', TopicId: t });
    assert.equal(missing?.['ErrorCode'], 10010);
    // A From_Account that is not a member has no MsgFlag in the group.
    const outsider = await s.ok('million_group_open_http_svc/get_topic', { GroupId: c, From_Account: 'dave' });
    assert.deepEqual((outsider['TopicAndSelfInfo'] as Msg[])[0]?.['SelfInfo'], { ShutUpTime: 0, MsgSeq: 0, MsgFlag: '' });
    assertRefused(await s.call('million_group_open_http_svc/get_topic', { GroupId: c, From_Account: 'not imported' }), 10004);
  });
});

describe('targeted group messages (send_group_msg with To_Account)', () => {
  let groupId: string;
  before(async () => {
    groupId = await group({ Type: 'Public', Name: 'targets', Owner_Account: 'alice', MemberList: [{ Member_Account: 'bob' }, { Member_Account: 'carol' }] });
  });

  test('a targeted message takes a MsgSeq, is stored, and its event names only its recipients', async () => {
    const before = s.events.length;
    const r = await sendGroup(groupId, { From_Account: 'alice', To_Account: ['bob', 'bob'] });
    assertOk(r);
    const event = s.events.slice(before).find((e) => e.type === 'group.sent');
    assert.deepEqual(event !== undefined && 'toAccounts' in event ? event.toAccounts : undefined, ['bob']);
    const everyone = await sendGroup(groupId);
    const everyoneEvent = s.events.slice(before).filter((e) => e.type === 'group.sent')[1];
    assert.deepEqual(everyoneEvent !== undefined && 'toAccounts' in everyoneEvent ? everyoneEvent.toAccounts : undefined, []);
    assert.equal(everyone['MsgSeq'], (r['MsgSeq'] as number) + 1);
  });

  test('it can be modified and recalled like any group message', async () => {
    const seq = (await sendGroup(groupId, { To_Account: ['carol'] }))['MsgSeq'];
    assertOk(await s.call('openim/modify_group_msg', { GroupId: groupId, MsgSeq: seq, MsgBody: text('edited') }));
    const history = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 1, ReqMsgSeq: seq });
    assert.deepEqual((history['RspMsgList'] as Msg[])[0]?.['MsgBody'], text('edited'));
    const recall = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: seq }] });
    assert.deepEqual(recall['RecallRetList'], [{ MsgSeq: seq, RetCode: 0 }]);
  });

  test('at most 50 recipients, all members, in Private, Public or ChatRoom groups, without @ mentions; nothing is stored otherwise', async () => {
    const before = (await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[];
    const many = Array.from({ length: 51 }, (_, i) => `m${i}`);
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text('x'), To_Account: many }), 10004);
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text('x'), To_Account: [] }), 10004);
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text('x'), To_Account: 'bob' }), 10004);
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text('x'), To_Account: ['dave'] }), 10004);
    const at = { GroupAtInfo: [{ GroupAtAllFlag: 0, GroupAt_Account: 'bob' }] };
    assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: next(), MsgBody: text('x'), To_Account: ['bob'], ...at }), 10004);
    for (const type of ['Community', 'AVChatRoom']) {
      const other = await group({ Type: type, Name: type });
      assertRefused(await s.call('group_open_http_svc/send_group_msg', { GroupId: other, Random: next(), MsgBody: text('x'), To_Account: ['bob'] }), 10007);
    }
    for (const type of ['Private', 'Work', 'ChatRoom', 'Meeting']) {
      const other = await group({ Type: type, Name: type, Owner_Account: 'alice', MemberList: [{ Member_Account: 'bob' }] });
      assertOk(await s.call('group_open_http_svc/send_group_msg', { GroupId: other, Random: next(), MsgBody: text('x'), To_Account: ['bob'] }));
    }
    const after = (await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [groupId] }))['GroupInfo'] as Msg[];
    assert.equal(after[0]?.['NextMsgSeq'], before[0]?.['NextMsgSeq'], 'no refused send took a MsgSeq');
  });
});
