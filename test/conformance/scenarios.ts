import { formatMsgTime, hourStart } from '../../src/history/hours.js';
import type { TestServer } from '../helpers.js';
import { text } from '../helpers.js';
import { eventually, rawSocket, userQuery } from '../stream-clients.js';
import { namedAccounts, type Sample, substitute } from './fixtures.js';

// How each API's samples from Tencent's pages are made real: the state a sample assumes (accounts,
// groups, messages, topics) is created first, and the sample's ids are replaced by the real ones.

/** Makes a sample's world and returns its request with real ids. */
export type Prepare = (s: TestServer, sample: Sample) => Promise<Record<string, unknown>>;

let unique = 0;
/** A value no other call of this run has used. */
const fresh = () => ++unique;

async function importNamed(s: TestServer, request: unknown, except: readonly string[] = []): Promise<void> {
  const ids = namedAccounts(request).filter((id) => !except.includes(id) && /^[\x21-\x7e]{1,32}$/.test(id));
  if (ids.length > 0) await s.users(...ids);
}

async function createGroup(s: TestServer, body: Record<string, unknown>): Promise<string> {
  await importNamed(s, body);
  return (await s.ok('group_open_http_svc/create_group', body))['GroupId'] as string;
}

async function sendC2C(s: TestServer, from: string, to: string): Promise<{ key: string; time: number }> {
  await s.users(from, to);
  const r = await s.ok('openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: fresh(), MsgBody: text(`m${unique}`) });
  return { key: r['MsgKey'] as string, time: r['MsgTime'] as number };
}

async function sendGroup(s: TestServer, groupId: string, topicId?: string): Promise<number> {
  const r = await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, Random: fresh(), MsgBody: text(`g${unique}`), ...(topicId === undefined ? {} : { TopicId: topicId }) });
  return r['MsgSeq'] as number;
}

/** A Community with topics whose ids are the sample's, moved under the new Community. */
async function community(s: TestServer, sampleGroupId: string, sampleTopicIds: readonly string[], members: readonly string[]): Promise<Map<string, unknown>> {
  const groupId = await createGroup(s, { Type: 'Community', Name: 'conformance', SupportTopic: 1, MemberList: members.map((Member_Account) => ({ Member_Account })) });
  const ids = new Map<string, unknown>([[sampleGroupId, groupId], [`${sampleGroupId}*`, groupId]]);
  for (const topicId of sampleTopicIds) {
    await s.ok('million_group_open_http_svc/create_topic', { GroupId: groupId, TopicId: substitute(topicId, ids), TopicName: 'topic' });
  }
  return ids;
}

/** The ids a group sample names, all mapped to one new group. */
function groupIds(sample: Sample, groupId: string): Map<string, unknown> {
  const named = [sample.request['GroupId'], ...((sample.request['GroupIdList'] as unknown[] | undefined) ?? [])];
  return new Map(named.filter((id): id is string => typeof id === 'string').map((id) => [id, groupId]));
}

/** A group whose members tommy and peter are muted, as the muted-list samples show. */
async function mutedGroup(s: TestServer, sample: Sample): Promise<Record<string, unknown>> {
  const groupId = await createGroup(s, { Type: 'Public', Name: 'muted', MemberList: [{ Member_Account: 'tommy' }, { Member_Account: 'peter' }] });
  await s.ok('group_open_http_svc/forbid_send_msg', { GroupId: groupId, Members_Account: ['tommy', 'peter'], MuteTime: 3600 });
  return substitute(sample.request, groupIds(sample, groupId));
}

const OWNER_AND_MEMBERS = { Owner_Account: 'leckie', MemberList: [{ Member_Account: 'peter' }, { Member_Account: 'tommy' }, { Member_Account: 'jared' }, { Member_Account: 'brennanli2' }, { Member_Account: 'brennanli3' }] };

/** How each API's samples are made real: the state they assume, and the request with real ids. */
export const PREPARE: Readonly<Record<string, Prepare>> = {
  'im_open_login_svc/account_import': async (_s, sample) => sample.request,
  'im_open_login_svc/multiaccount_import': async (_s, sample) => sample.request,
  'im_open_login_svc/account_delete': async (s, sample) => {
    await importNamed(s, sample.request);
    return sample.request;
  },
  'im_open_login_svc/account_check': async (s, sample) => {
    await s.users('UserID_1');
    return sample.request;
  },
  'openim/sendmsg': async (s, sample) => {
    await importNamed(s, sample.request);
    return { ...sample.request, MsgRandom: fresh() };
  },
  'openim/batchsendmsg': async (s, sample) => {
    // Recipients the sample reports as failed become accounts never imported, so that parley fails them too.
    const failed = ((sample.response['ErrorList'] as { To_Account: string }[] | undefined) ?? []).map((e) => e.To_Account);
    await importNamed(s, sample.request, failed);
    return { ...substitute(sample.request, new Map(failed.map((id) => [id, `never-imported-${fresh()}`]))), MsgRandom: fresh() };
  },
  'openim/admin_getroammsg': async (s, sample) => {
    for (let i = 0; i < 3; i++) await sendC2C(s, 'user1', 'user2');
    const range = { MinTime: 0, MaxTime: 4294967295 };
    if (sample.request['LastMsgKey'] === undefined) return { ...sample.request, ...range };
    // A continued pull starts below a first page of one message, so that older ones come back.
    const first = await s.ok('openim/admin_getroammsg', { Operator_Account: 'user2', Peer_Account: 'user1', MaxCnt: 1, ...range });
    return { ...sample.request, ...range, MaxTime: first['LastMsgTime'], LastMsgKey: first['LastMsgKey'] };
  },
  'open_msg_svc/get_history': async (s, sample) => {
    // One message in the hour before the current one, which has ended: that hour's file is asked for.
    const hour = hourStart(Math.floor(s.clock.nowMs() / 1000)) - 3600;
    s.clock.freeze((hour + 60) * 1000);
    try {
      await sendC2C(s, 'history1', 'history2');
    } finally {
      s.clock.unfreeze();
    }
    return { ...sample.request, MsgTime: formatMsgTime(hour) };
  },
  'openim/admin_msgwithdraw': async (s, sample) => ({ ...sample.request, MsgKey: (await sendC2C(s, 'vinson', 'dramon')).key }),
  'openim/modify_c2c_msg': async (s, sample) => ({ ...sample.request, MsgKey: (await sendC2C(s, 'dramon1', 'dramon2')).key }),
  'openim/importmsg': async (s, sample) => {
    await importNamed(s, sample.request);
    return sample.request;
  },
  'openim/delete_c2c_msg_ramble': async (s, sample) => ({ ...sample.request, MsgKeyList: [(await sendC2C(s, 'user0', 'user1')).key, (await sendC2C(s, 'user1', 'user0')).key] }),
  'openim/admin_set_msg_read': async (s, sample) => {
    await sendC2C(s, 'dramon2', 'dramon1');
    return sample.request;
  },
  'openim/get_c2c_unread_msg_num': async (s, sample) => {
    await importNamed(s, sample.request);
    await sendC2C(s, 'dramon2', 'dramon1');
    return sample.request;
  },
  'group_open_http_svc/create_group': async (s, sample) => {
    await importNamed(s, sample.request);
    return substitute(sample.request, new Map([['MyFirstGroup', `MyFirstGroup-${fresh()}`]]));
  },
  'group_open_http_svc/get_group_info': async (s, sample) => {
    const memberData = [{ Key: 'MemberDefined1', Value: 'MemberData1' }, { Key: 'MemberDefined2', Value: 'MemberData2' }];
    const groupId = await createGroup(s, {
      Owner_Account: 'leckie',
      Type: 'Public',
      Name: 'MyFirstGroup',
      AppDefinedData: [{ Key: 'GroupTestData1', Value: 'xxxx' }, { Key: 'GroupTestData2', Value: 'abc' }],
      MemberList: [{ Member_Account: 'leckie', AppMemberDefinedData: memberData }, { Member_Account: 'peter', AppMemberDefinedData: memberData }],
    });
    await sendGroup(s, groupId);
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/add_group_member': async (s, sample) => {
    await importNamed(s, sample.request);
    return substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'add' })));
  },
  'group_open_http_svc/delete_group_member': async (s, sample) => substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'delete', ...OWNER_AND_MEMBERS }))),
  'group_open_http_svc/destroy_group': async (s, sample) => substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'destroy' }))),
  'group_open_http_svc/send_group_msg': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'send', ...OWNER_AND_MEMBERS });
    return { ...substitute(sample.request, groupIds(sample, groupId)), Random: fresh() };
  },
  'group_open_http_svc/group_msg_get_simple': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'history' });
    let newest = 0;
    for (let i = 0; i < 3; i++) newest = await sendGroup(s, groupId);
    const request = substitute(sample.request, groupIds(sample, groupId));
    return request['ReqMsgSeq'] === undefined ? request : { ...request, ReqMsgSeq: newest };
  },
  'group_open_http_svc/group_msg_recall': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'recall' });
    // As in the sample: the first MsgSeq names no message (10030), the second is recalled.
    return { ...substitute(sample.request, groupIds(sample, groupId)), MsgSeqList: [{ MsgSeq: 999 }, { MsgSeq: await sendGroup(s, groupId) }] };
  },
  'group_open_http_svc/import_group': async (s, sample) => {
    await importNamed(s, sample.request);
    return sample.request;
  },
  'group_open_http_svc/import_group_member': async (s, sample) => {
    await importNamed(s, sample.request);
    // A group created before the sample's join times, as an imported one would be.
    const groupId = (await s.ok('group_open_http_svc/import_group', { Type: 'Public', Name: 'import members', CreateTime: 1448357000 }))['GroupId'] as string;
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/import_group_msg': async (s, sample) => {
    await importNamed(s, sample.request);
    const groupId = (await s.ok('group_open_http_svc/import_group', { Type: 'Public', Name: 'import messages', CreateTime: 1620800000 }))['GroupId'] as string;
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/set_unread_msg_num': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'unread', Owner_Account: 'bob' });
    await sendGroup(s, groupId);
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/delete_group_msg_by_sender': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'delete by sender', ...OWNER_AND_MEMBERS });
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: 'leckie', Random: fresh(), MsgBody: text('to delete') });
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/send_group_system_notification': async (s, sample) => substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'notify', ...OWNER_AND_MEMBERS }))),
  'million_group_open_http_svc/create_topic': async (s, sample) => substitute(sample.request, await community(s, sample.request['GroupId'] as string, [], [])),
  'million_group_open_http_svc/get_topic': async (s, sample) => {
    const sampleGroup = sample.request['GroupId'] as string;
    const listed = (sample.request['TopicIdList'] as string[] | undefined) ?? [`${sampleGroup}@TOPIC#_@TOPIC#cRTE3HIM62C5`];
    await importNamed(s, sample.request);
    return substitute(sample.request, await community(s, sampleGroup, listed, namedAccounts(sample.request)));
  },
  'million_group_open_http_svc/destroy_topic': async (s, sample) => substitute(sample.request, await community(s, sample.request['GroupId'] as string, sample.request['TopicIdList'] as string[], [])),
  'im_open_login_svc/kick': async (s, sample) => {
    await importNamed(s, sample.request);
    return sample.request;
  },
  'openim/query_online_status': async (s, sample) => {
    // id4 stays unknown (ErrorList); id1 holds event stream connections from two platforms (the server closes them when it stops).
    await s.users('id1', 'id2', 'id3');
    for (const platform of ['iPhone', 'Web']) {
      const device = rawSocket(s.url, userQuery('id1', { platform }));
      await eventually(() => device.frames.length > 0, 'id1 to connect');
    }
    return sample.request;
  },
  'group_open_http_svc/forbid_send_msg': async (s, sample) => {
    const members = (sample.request['Members_Account'] as string[]).map((Member_Account) => ({ Member_Account }));
    return substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'mute', MemberList: members })));
  },
  'group_open_http_svc/get_group_muted_account': (s, sample) => mutedGroup(s, sample),
  'group_open_http_svc/get_group_shutted_uin': (s, sample) => mutedGroup(s, sample),
  'group_open_http_svc/modify_group_base_info': async (s, sample) => substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'modify', Owner_Account: 'leckie' }))),
  'group_open_http_svc/modify_group_member_info': async (s, sample) =>
    substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'member', MemberList: [{ Member_Account: sample.request['Member_Account'] }] }))),
  'group_open_http_svc/change_group_owner': async (s, sample) =>
    substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'owner', Owner_Account: 'leckie', MemberList: [{ Member_Account: sample.request['NewOwner_Account'] }] }))),
  'group_open_http_svc/get_group_member_info': async (s, sample) => {
    const data = [{ Key: 'MemberDefined1', Value: 'ModifyDefined1' }, { Key: 'MemberDefined2', Value: 'ModifyDefined2' }];
    const type = (sample.request['GroupId'] as string).startsWith('@TGS#_') ? 'Community' : 'Public';
    const groupId = await createGroup(s, { Type: type, Name: 'members', Owner_Account: 'bob', MemberList: [{ Member_Account: 'bob', AppMemberDefinedData: data }, { Member_Account: 'peter', AppMemberDefinedData: data }] });
    await s.ok('group_open_http_svc/forbid_send_msg', { GroupId: groupId, Members_Account: ['peter'], MuteTime: 3600 });
    return substitute(sample.request, groupIds(sample, groupId));
  },
  'group_open_http_svc/get_role_in_group': async (s, sample) => {
    await importNamed(s, sample.request);
    return substitute(sample.request, groupIds(sample, await createGroup(s, { Type: 'Public', Name: 'roles', Owner_Account: 'leckie', MemberList: [{ Member_Account: 'peter' }] })));
  },
  'profile/portrait_set': async (s, sample) => {
    await importNamed(s, sample.request);
    return sample.request;
  },
  'profile/portrait_get': async (s, sample) => {
    // id4 stays unimported: it fails as the last sample's id4 does. The others get the sample's values.
    const accounts = (sample.request['To_Account'] as string[]).filter((id) => id !== 'id4');
    await s.users(...accounts);
    const allow = ['AllowType_Type_NeedConfirm', 'AllowType_Type_DenyAny', 'AllowType_Type_AllowAny'];
    for (const [i, id] of accounts.entries()) {
      const n = id.slice(2);
      const values = [['Tag_Profile_IM_Nick', `NickNameTest${n}`], ['Tag_Profile_IM_AllowType', allow[i % 3]], ['Tag_Profile_IM_SelfSignature', `I'm Test${n}`], ['Tag_Profile_Custom_Test', `Custom Data${n}`]];
      await s.ok('profile/portrait_set', { From_Account: id, ProfileItem: values.map(([Tag, Value]) => ({ Tag, Value })) });
    }
    return sample.request;
  },
  'group_open_http_svc/get_joined_group_list': async (s, sample) => {
    const account = sample.request['Member_Account'] as string;
    await s.users(account, 'owner');
    if (sample.request['SupportTopic'] === 1) await createGroup(s, { Type: 'Community', Name: 'topics', SupportTopic: 1, Owner_Account: 'owner', MemberList: [{ Member_Account: account }] });
    else await createGroup(s, { Type: 'Public', Name: 'joined', Owner_Account: 'owner', MemberList: [{ Member_Account: account }] });
    return sample.request;
  },
  'group_open_http_svc/get_appid_group_list': async (s, sample) => {
    await createGroup(s, { Type: 'Public', Name: 'listed' });
    return sample.request;
  },
  'million_group_open_http_svc/modify_topic': async (s, sample) => {
    await importNamed(s, sample.request);
    return substitute(sample.request, await community(s, sample.request['GroupId'] as string, [sample.request['TopicId'] as string], []));
  },
  'openim/modify_group_msg': async (s, sample) => {
    const groupId = await createGroup(s, { Type: 'Public', Name: 'modify' });
    return { ...substitute(sample.request, groupIds(sample, groupId)), MsgSeq: await sendGroup(s, groupId) };
  },
};
