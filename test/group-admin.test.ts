import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

// Group administration through real HTTP: profile and member changes, owner changes, mutes, member
// pages. test/run.mjs runs this file on PostgreSQL too.

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('o', 'u1', 'u2', 'u3', 'outsider');
});
after(() => s.close());

type Msg = Record<string, unknown>;
const G = 'group_open_http_svc';
let unique = 0;
const create = async (body: Record<string, unknown>) => (await s.ok(`${G}/create_group`, { Name: `g${++unique}`, ...body }))['GroupId'] as string;
const publicGroup = () => create({ Type: 'Public', Owner_Account: 'o', MemberList: [{ Member_Account: 'u1' }, { Member_Account: 'u2' }] });
const send = (groupId: string, from: string) => s.call(`${G}/send_group_msg`, { GroupId: groupId, From_Account: from, Random: ++unique, MsgBody: text(`m${unique}`) });
const info = async (groupId: string) => ((await s.ok(`${G}/get_group_info`, { GroupIdList: [groupId] }))['GroupInfo'] as Msg[])[0] ?? {};
const member = (g: Msg, account: string) => (g['MemberList'] as Msg[]).find((m) => m['Member_Account'] === account) ?? {};

/** Calls an API that must fail with `code`, and checks that get_group_info is the same before and after. */
async function refused(api: string, body: Record<string, unknown>, code: number, groupId?: string): Promise<void> {
  const before = groupId === undefined ? undefined : await info(groupId);
  const r = await s.call(`${G}/${api}`, body);
  assert.equal(r.ErrorCode, code, `${api}: ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.ok(r.ErrorInfo.length > 10, 'ErrorInfo says what to do');
  if (groupId !== undefined) assert.deepEqual(await info(groupId), before, 'nothing changed');
}

describe('muting', () => {
  test('a muted member is refused with 10017, then allowed once the mute ends (moved clock)', async () => {
    const g = await publicGroup();
    assert.equal((await send(g, 'u1')).ErrorCode, 0);
    await s.ok(`${G}/forbid_send_msg`, { GroupId: g, Members_Account: ['u1'], MuteTime: 60 });
    const refusedSend = await send(g, 'u1');
    assert.equal(refusedSend.ErrorCode, 10017, refusedSend.ErrorInfo);
    assert.match(refusedSend.ErrorInfo, /muted/);
    assert.equal((await send(g, 'u2')).ErrorCode, 0, 'others still send');
    const list = await s.ok(`${G}/get_group_muted_account`, { GroupId: g });
    const [entry] = list['MutedAccountList'] as Msg[];
    assert.equal(list['GroupId'], g);
    assert.equal(entry?.['Member_Account'], 'u1');
    const until = entry?.['MutedUntil'] as number;
    assert.ok(until > Date.now() / 1000);
    const old = await s.ok(`${G}/get_group_shutted_uin`, { GroupId: g });
    assert.deepEqual(old['ShuttedUinList'], [{ Member_Account: 'u1', ShuttedUntil: until }]);
    assert.equal(member(await info(g), 'u1')['MuteUntil'], until);
    s.clock.advance(61);
    assert.equal((await send(g, 'u1')).ErrorCode, 0, 'allowed after the mute');
    assert.deepEqual((await s.ok(`${G}/get_group_muted_account`, { GroupId: g }))['MutedAccountList'], []);
    assert.equal(member(await info(g), 'u1')['MuteUntil'], 0);
  });

  test('MuteTime 0 lifts a mute; ShutUpTime (the older name) mutes too; for good is 4294967295', async () => {
    const g = await publicGroup();
    await s.ok(`${G}/forbid_send_msg`, { GroupId: g, Members_Account: ['u1', 'u2'], ShutUpTime: 3600 });
    assert.equal((await send(g, 'u2')).ErrorCode, 10017);
    await s.ok(`${G}/forbid_send_msg`, { GroupId: g, Members_Account: ['u2'], MuteTime: 0 });
    assert.equal((await send(g, 'u2')).ErrorCode, 0);
    assert.equal((await send(g, 'u1')).ErrorCode, 10017);
    await s.ok(`${G}/forbid_send_msg`, { GroupId: g, Members_Account: ['u1'], MuteTime: 4294967295 });
    const [entry] = (await s.ok(`${G}/get_group_muted_account`, { GroupId: g }))['MutedAccountList'] as Msg[];
    assert.equal(entry?.['MutedUntil'], 4294967295);
  });

  test("a mute does not stop the admin's modify or recall of the muted member's messages, nor an admin send", async () => {
    const g = await publicGroup();
    const seq = (await send(g, 'u1'))['MsgSeq'] as number;
    const second = (await send(g, 'u1'))['MsgSeq'] as number;
    await s.ok(`${G}/forbid_send_msg`, { GroupId: g, Members_Account: ['u1'], MuteTime: 600 });
    const modified = await s.call('openim/modify_group_msg', { GroupId: g, MsgSeq: seq, MsgBody: text('edited') });
    assert.equal(modified.ErrorCode, 0, modified.ErrorInfo);
    const recall = await s.ok(`${G}/group_msg_recall`, { GroupId: g, MsgSeqList: [{ MsgSeq: second }] });
    assert.equal((recall['RecallRetList'] as Msg[])[0]?.['RetCode'], 0);
    assert.equal((await s.call(`${G}/send_group_msg`, { GroupId: g, Random: ++unique, MsgBody: text('admin') })).ErrorCode, 0);
  });

  test('MuteAllMember (and ShutUpAllMember) mutes every member but the owner and admins', async () => {
    const g = await publicGroup();
    await s.ok(`${G}/modify_group_member_info`, { GroupId: g, Member_Account: 'u2', Role: 'Admin' });
    await s.ok(`${G}/modify_group_base_info`, { GroupId: g, ShutUpAllMember: 'On' });
    assert.equal((await info(g))['MuteAllMember'], 'On');
    const r = await send(g, 'u1');
    assert.equal(r.ErrorCode, 10017);
    assert.match(r.ErrorInfo, /as a whole/);
    assert.equal((await send(g, 'o')).ErrorCode, 0, 'the owner sends');
    assert.equal((await send(g, 'u2')).ErrorCode, 0, 'an admin sends');
    await s.ok(`${G}/modify_group_base_info`, { GroupId: g, MuteAllMember: 'Off' });
    assert.equal((await send(g, 'u1')).ErrorCode, 0);
  });

  test("a topic's MuteAllMember (modify_topic) mutes every member but the owner and admins in that topic only", async () => {
    const T = 'million_group_open_http_svc';
    const g = await create({ Type: 'Community', SupportTopic: 1, Owner_Account: 'o', MemberList: [{ Member_Account: 'u1' }, { Member_Account: 'u2' }] });
    await s.ok(`${G}/modify_group_member_info`, { GroupId: g, Member_Account: 'u2', Role: 'Admin' });
    const quiet = (await s.ok(`${T}/create_topic`, { GroupId: g, TopicName: 'quiet' }))['TopicId'] as string;
    const open = (await s.ok(`${T}/create_topic`, { GroupId: g, TopicName: 'open' }))['TopicId'] as string;
    const sendTo = (topicId: string | undefined, from?: string) =>
      s.call(`${G}/send_group_msg`, { GroupId: g, Random: ++unique, MsgBody: text(`m${unique}`), ...(from === undefined ? {} : { From_Account: from }), ...(topicId === undefined ? {} : { TopicId: topicId }) });
    const nextSeq = async (topicId: string) =>
      ((await s.ok(`${T}/get_topic`, { GroupId: g, TopicIdList: [topicId] }))['TopicAndSelfInfo'] as { TopicInfo: Msg }[])[0]?.TopicInfo['NextMsgSeq'];
    await s.ok(`${T}/modify_topic`, { GroupId: g, TopicId: quiet, MuteAllMember: 'On' });

    const before = await nextSeq(quiet);
    const r = await sendTo(quiet, 'u1');
    assert.equal(r.ErrorCode, 10017, r.ErrorInfo);
    assert.equal(r.ActionStatus, 'FAIL');
    assert.match(r.ErrorInfo, /topic .* is muted as a whole \(MuteAllMember\).*modify_topic/);
    assert.equal(await nextSeq(quiet), before, 'nothing was stored');
    assert.equal((await sendTo(open, 'u1')).ErrorCode, 0, 'another topic is not muted');
    assert.equal((await sendTo(undefined, 'u1')).ErrorCode, 0, 'nor is the group itself');
    assert.equal((await sendTo(quiet, 'o')).ErrorCode, 0, 'the owner sends');
    assert.equal((await sendTo(quiet, 'u2')).ErrorCode, 0, 'an admin sends');
    assert.equal((await sendTo(quiet)).ErrorCode, 0, 'the app admin sends');

    // Muted both ways, the group's mute is the one to lift first.
    await s.ok(`${G}/modify_group_base_info`, { GroupId: g, MuteAllMember: 'On' });
    assert.match((await sendTo(quiet, 'u1')).ErrorInfo, /ShutUpAllMember/);
    await s.ok(`${G}/modify_group_base_info`, { GroupId: g, MuteAllMember: 'Off' });

    await s.ok(`${T}/modify_topic`, { GroupId: g, TopicId: quiet, MuteAllMember: 'Off' });
    const after = await sendTo(quiet, 'u1');
    assert.equal(after.ErrorCode, 0, after.ErrorInfo);
  });

  test('refusals change nothing: the owner, a non-member, an unknown account, a Private group, bad fields', async () => {
    const g = await publicGroup();
    const other = await publicGroup();
    await s.ok(`${G}/add_group_member`, { GroupId: other, MemberList: [{ Member_Account: 'u3' }] });
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1', 'o'], MuteTime: 60 }, 10004, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1', 'u3'], MuteTime: 60 }, 10007, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1', 'ghost'], MuteTime: 60 }, 10019, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1', 'bad id'], MuteTime: 60 }, 10004, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1'] }, 10004, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: ['u1'], MuteTime: -1 }, 10004, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: [], MuteTime: 1 }, 10004, g);
    await refused('forbid_send_msg', { GroupId: g, Members_Account: Array.from({ length: 501 }, (_, i) => `x${i}`), MuteTime: 1 }, 10004, g);
    await refused('forbid_send_msg', { GroupId: '@TGS#NOSUCH000', Members_Account: ['u1'], MuteTime: 60 }, 10010);
    await refused('forbid_send_msg', { GroupId: 'bad group', Members_Account: ['u1'], MuteTime: 60 }, 10015);
    const work = await create({ Type: 'Work', Owner_Account: 'o', MemberList: [{ Member_Account: 'u1' }] });
    await refused('forbid_send_msg', { GroupId: work, Members_Account: ['u1'], MuteTime: 60 }, 10007, work);
    await refused('modify_group_member_info', { GroupId: work, Member_Account: 'u1', MuteTime: 60 }, 10007, work);
    await refused('modify_group_base_info', { GroupId: work, MuteAllMember: 'On' }, 10007, work);
    await refused('get_group_muted_account', { GroupId: '@TGS#NOSUCH000' }, 10010);
    await refused('get_group_muted_account', { GroupId: g, TopicId: 't' }, 10004);
    assert.equal((await send(g, 'u1')).ErrorCode, 0, 'u1 was never muted');
  });
});

describe('modify_group_base_info and get_group_info', () => {
  test('each field replaces the stored one; custom fields merge by Key; InfoSeq and LastInfoTime move', async () => {
    const g = await create({ Type: 'Public', Owner_Account: 'o', AppDefinedData: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    const before = await info(g);
    assert.deepEqual([before['InfoSeq'], before['LastInfoTime']], [1, before['CreateTime']]);
    s.clock.advance(5);
    await s.ok(`${G}/modify_group_base_info`, {
      GroupId: g, Name: 'NewName', Introduction: 'intro', Notification: 'note', FaceUrl: 'http://f', MaxMemberNum: 50, ApplyJoinOption: 'DisableApply', InviteJoinOption: 'FreeAccess',
      AppDefinedData: [{ Key: 'a', Value: 'new' }, { Key: 'b', Value: '' }, { Key: 'c', Value: '3' }],
    });
    const now = await info(g);
    assert.deepEqual(
      [now['Name'], now['Introduction'], now['Notification'], now['FaceUrl'], now['MaxMemberNum'], now['ApplyJoinOption'], now['InfoSeq']],
      ['NewName', 'intro', 'note', 'http://f', 50, 'DisableApply', 2],
    );
    assert.equal(now['LastInfoTime'], (before['CreateTime'] as number) + 5);
    assert.deepEqual(now['AppDefinedData'], [{ Key: 'a', Value: 'new' }, { Key: 'c', Value: '3' }]);
    await s.ok(`${G}/modify_group_base_info`, { GroupId: g, Name: 'Third' });
    assert.deepEqual([(await info(g))['Name'], (await info(g))['Introduction'], (await info(g))['InfoSeq']], ['Third', 'intro', 3]);
  });

  test('bad input: 10004 with nothing changed', async () => {
    const g = await publicGroup();
    await refused('modify_group_base_info', { GroupId: g }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, Name: 'é'.repeat(16) }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, Name: '' }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, Introduction: 'i'.repeat(241) }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, Notification: 'n'.repeat(301) }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, FaceUrl: 'f'.repeat(101) }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, MaxMemberNum: 2 }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, MaxMemberNum: 0 }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, MuteAllMember: 'Yes' }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, ApplyJoinOption: 'Anyone' }, 10004, g);
    await refused('modify_group_base_info', { GroupId: g, AppDefinedData: [{ Key: '', Value: 'x' }] }, 10004, g);
    await refused('modify_group_base_info', { GroupId: '@TGS#NOSUCH000', Name: 'x' }, 10010);
    await refused('modify_group_base_info', { Name: 'x' }, 10004);
    const av = await create({ Type: 'AVChatRoom' });
    await refused('modify_group_base_info', { GroupId: av, InviteJoinOption: 'FreeAccess' }, 10007, av);
  });

  test('create_group keeps AppMemberDefinedData, EnablePermission and DefaultPermission', async () => {
    const g = await create({
      Type: 'Public', Owner_Account: 'o', EnablePermission: 1, DefaultPermission: 3, AppMemberDefinedData: [{ Key: 'k', Value: 'default' }],
      MemberList: [{ Member_Account: 'u1' }, { Member_Account: 'u2', AppMemberDefinedData: [{ Key: 'k', Value: 'own' }] }],
    });
    const stored = await s.deps.store.getGroup(1400123456, g);
    assert.deepEqual([stored?.enablePermission, stored?.defaultPermission], [1, 3]);
    const got = await info(g);
    assert.deepEqual(member(got, 'o')['AppMemberDefinedData'], [{ Key: 'k', Value: 'default' }]);
    assert.deepEqual(member(got, 'u1')['AppMemberDefinedData'], [{ Key: 'k', Value: 'default' }]);
    assert.deepEqual(member(got, 'u2')['AppMemberDefinedData'], [{ Key: 'k', Value: 'own' }]);
  });

  test("a member's MsgSeq and LastSendMsgTime follow its sends", async () => {
    const g = await publicGroup();
    await send(g, 'u2');
    const r = await send(g, 'u1');
    const m = member(await info(g), 'u1');
    assert.deepEqual([m['MsgSeq'], m['LastSendMsgTime']], [r['MsgSeq'], r['MsgTime']]);
    assert.equal(member(await info(g), 'o')['MsgSeq'], 0);
  });
});

describe('modify_group_member_info, change_group_owner, get_role_in_group', () => {
  test('role, MsgFlag, NameCard, custom fields and mute of one member', async () => {
    const g = await create({ Type: 'Public', Owner_Account: 'o', MemberList: [{ Member_Account: 'u1', AppMemberDefinedData: [{ Key: 'a', Value: '1' }] }] });
    await s.ok(`${G}/modify_group_member_info`, { GroupId: g, Member_Account: 'u1', Role: 'Admin', MsgFlag: 'Discard', NameCard: 'bob', AppMemberDefinedData: [{ Key: 'b', Value: '2' }] });
    const m = (await s.ok(`${G}/get_group_member_info`, { GroupId: g, MemberRoleFilter: ['Admin'] }))['MemberList'] as Msg[];
    assert.deepEqual(
      m.map((x) => [x['Member_Account'], x['Role'], x['MsgFlag'], x['NameCard'], x['AppMemberDefinedData']]),
      [['u1', 'Admin', 'Discard', 'bob', [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]]],
    );
    await s.ok(`${G}/modify_group_member_info`, { GroupId: g, Member_Account: 'u1', MuteTime: 100 });
    assert.equal((await send(g, 'u1')).ErrorCode, 10017);
    await s.ok(`${G}/modify_group_member_info`, { GroupId: g, Member_Account: 'u1', ShutUpTime: 0, Role: 'Member' });
    assert.equal((await send(g, 'u1')).ErrorCode, 0);
    const roles = await s.ok(`${G}/get_role_in_group`, { GroupId: g, User_Account: ['o', 'u1', 'outsider', 'ghost'] });
    assert.deepEqual(roles['UserIdList'], [
      { Member_Account: 'o', Role: 'Owner' }, { Member_Account: 'u1', Role: 'Member' }, { Member_Account: 'outsider', Role: 'NotMember' }, { Member_Account: 'ghost', Role: 'NotMember' },
    ]);
  });

  test('modify_group_member_info refusals', async () => {
    const g = await publicGroup();
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'o', Role: 'Member' }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'o', MuteTime: 10 }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'u1', Role: 'Owner' }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'u1' }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'u1', NameCard: 'n'.repeat(51) }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'u1', MsgFlag: 'Loud' }, 10004, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'outsider', NameCard: 'x' }, 10007, g);
    await refused('modify_group_member_info', { GroupId: g, Member_Account: 'ghost', NameCard: 'x' }, 10019, g);
    await refused('modify_group_member_info', { GroupId: g, NameCard: 'x' }, 10004, g);
    await refused('modify_group_member_info', { GroupId: '@TGS#NOSUCH000', Member_Account: 'u1', NameCard: 'x' }, 10010);
    const av = await create({ Type: 'AVChatRoom' });
    await refused('modify_group_member_info', { GroupId: av, Member_Account: 'u1', NameCard: 'x' }, 10007, av);
    await refused('get_role_in_group', { GroupId: g, User_Account: [] }, 10004);
  });

  test('change_group_owner: the new owner must be a member; the old one becomes a Member', async () => {
    const g = await publicGroup();
    s.clock.advance(3);
    await s.ok(`${G}/change_group_owner`, { GroupId: g, NewOwner_Account: 'u1' });
    const got = await info(g);
    assert.equal(got['Owner_Account'], 'u1');
    assert.equal(got['InfoSeq'], 2);
    assert.deepEqual([member(got, 'u1')['Role'], member(got, 'o')['Role']], ['Owner', 'Member']);
    const del = await s.call(`${G}/delete_group_member`, { GroupId: g, MemberToDel_Account: ['u1'] });
    assert.equal(del.ErrorCode, 10004, 'the new owner cannot be removed');
    await s.ok(`${G}/delete_group_member`, { GroupId: g, MemberToDel_Account: ['o'] });
    await refused('change_group_owner', { GroupId: g, NewOwner_Account: 'outsider' }, 10007, g);
    await refused('change_group_owner', { GroupId: g, NewOwner_Account: 'ghost' }, 10019, g);
    await refused('change_group_owner', { GroupId: g, NewOwner_Account: 'bad id' }, 10004, g);
    await refused('change_group_owner', { GroupId: g }, 10004, g);
    await refused('change_group_owner', { GroupId: '@TGS#NOSUCH000', NewOwner_Account: 'u1' }, 10010);
    const av = await create({ Type: 'AVChatRoom' });
    await refused('change_group_owner', { GroupId: av, NewOwner_Account: 'u1' }, 10007, av);
    // A group created without an owner gets one.
    const ownerless = await create({ Type: 'Public', MemberList: [{ Member_Account: 'u2' }] });
    await s.ok(`${G}/change_group_owner`, { GroupId: ownerless, NewOwner_Account: 'u2' });
    assert.equal((await info(ownerless))['Owner_Account'], 'u2');
  });
});

describe('get_group_member_info', () => {
  const many = Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
  let big: string;
  let community: string;
  before(async () => {
    for (let i = 0; i < many.length; i += 100) await s.users(...many.slice(i, i + 100));
    big = await create({ Type: 'Public', Owner_Account: 'o', MaxMemberCount: 2000 });
    community = await create({ Type: 'Community', Owner_Account: 'o', MaxMemberCount: 2000 });
    // Joining in batches at different times, so that join order is not UserID order.
    for (let i = 0; i < many.length; i += 300) {
      const batch = many.slice(i, i + 300).reverse().map((Member_Account) => ({ Member_Account }));
      await s.ok(`${G}/add_group_member`, { GroupId: big, MemberList: batch });
      await s.ok(`${G}/add_group_member`, { GroupId: community, MemberList: batch });
      s.clock.advance(1);
    }
  });

  test('Offset and Limit page through 1,001 members with no skip or repeat', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 77) {
      const r = await s.ok(`${G}/get_group_member_info`, { GroupId: big, Limit: 77, Offset: offset });
      assert.equal(r['MemberNum'], 1001);
      assert.equal(r['Next'], undefined, 'Next is for Communities');
      const list = r['MemberList'] as Msg[];
      seen.push(...list.map((m) => m['Member_Account'] as string));
      if (list.length < 77) break;
    }
    assert.equal(seen.length, 1001);
    assert.deepEqual(new Set(seen).size, 1001);
    assert.deepEqual([...seen].sort(), ['o', ...many].sort());
    const all = await s.ok(`${G}/get_group_member_info`, { GroupId: big });
    assert.deepEqual((all['MemberList'] as Msg[]).map((m) => m['Member_Account']), seen, 'one call without Limit: the same order');
  });

  test('Next pages through a Community of 1,001 members with no skip or repeat, even as members leave', async () => {
    const seen: string[] = [];
    let next = '';
    for (let page = 0; page < 100; page++) {
      const r = await s.ok(`${G}/get_group_member_info`, { GroupId: community, Limit: 100, Next: next });
      seen.push(...(r['MemberList'] as Msg[]).map((m) => m['Member_Account'] as string));
      next = r['Next'] as string;
      if (page === 2) await s.ok(`${G}/delete_group_member`, { GroupId: community, MemberToDel_Account: [seen[0] ?? ''] });
      if (next === '') break;
    }
    assert.equal(seen.length, 1001);
    assert.equal(new Set(seen).size, 1001);
  });

  test('filters: MemberInfoFilter (with older names), MemberRoleFilter, AppDefinedDataFilter_GroupMember', async () => {
    const g = await create({ Type: 'Public', Owner_Account: 'o', MemberList: [{ Member_Account: 'u1', Role: 'Admin', AppMemberDefinedData: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }, { Member_Account: 'u2' }] });
    const full = ((await s.ok(`${G}/get_group_member_info`, { GroupId: g }))['MemberList'] as Msg[])[0] ?? {};
    assert.deepEqual(Object.keys(full).sort(), ['AppMemberDefinedData', 'JoinTime', 'LastSendMsgTime', 'Member_Account', 'MsgFlag', 'MsgSeq', 'MuteUntil', 'NameCard', 'Role']);
    const picked = (await s.ok(`${G}/get_group_member_info`, { GroupId: g, MemberInfoFilter: ['Role', 'ShutUpUntil'] }))['MemberList'] as Msg[];
    assert.deepEqual(Object.keys(picked[0] ?? {}).sort(), ['Member_Account', 'MuteUntil', 'Role']);
    const admins = (await s.ok(`${G}/get_group_member_info`, { GroupId: g, MemberRoleFilter: ['Owner', 'Admin'], AppDefinedDataFilter_GroupMember: ['b'] }))['MemberList'] as Msg[];
    assert.deepEqual(admins.map((m) => [m['Member_Account'], m['AppMemberDefinedData']]).sort(), [['o', []], ['u1', [{ Key: 'b', Value: '2' }]]]);
  });

  test('bad input', async () => {
    await refused('get_group_member_info', { GroupId: big, Limit: 6001 }, 10004);
    await refused('get_group_member_info', { GroupId: big, Offset: -1 }, 10004);
    await refused('get_group_member_info', { GroupId: big, MemberRoleFilter: ['Boss'] }, 10004);
    await refused('get_group_member_info', { GroupId: big, Next: '' }, 10004);
    await refused('get_group_member_info', { GroupId: community, Next: 'not-a-cursor' }, 10004);
    await refused('get_group_member_info', { GroupId: community, Next: '', Offset: 3 }, 10004);
    await refused('get_group_member_info', { GroupId: '@TGS#NOSUCH000' }, 10010);
    await refused('get_group_member_info', { GroupId: 'bad group' }, 10015);
  });
});
