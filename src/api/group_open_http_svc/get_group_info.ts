import { type Static, Type } from '@sinclair/typebox';
import { isGroupIdShape } from '../../domain/group-id.js';
import type { Group, GroupMember } from '../../store/group-types.js';
import { type ApiContext, defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { memberBase } from './member-common.js';

const Names = Type.Array(Type.String());

/** Which fields to return; with a filter, a field it does not name is not returned (Tencent's rule). */
const ResponseFilter = Type.Object(
  {
    GroupBaseInfoFilter: Type.Optional(Names),
    MemberInfoFilter: Type.Optional(Names),
    AppDefinedDataFilter_Group: Type.Optional(Names),
    AppDefinedDataFilter_GroupMember: Type.Optional(Names),
  },
  { additionalProperties: false },
);
type Filter = Static<typeof ResponseFilter>;

export const GetGroupInfo = requestSchema({
  GroupIdList: Type.Array(Type.String(), { minItems: 1, maxItems: 50 }),
  ResponseFilter: Type.Optional(ResponseFilter),
});

/** Older names of fields, as filters written for older docs still give them. */
const ALIASES: Readonly<Record<string, string>> = { ShutUpAllMember: 'MuteAllMember', ShutUpUntil: 'MuteUntil', Account: 'Member_Account' };

type KeyValue = { Key: string; Value: string };

/** Keeps the entries named by a filter (all of them without one). */
function keyValues(json: string, keys: readonly string[] | undefined): KeyValue[] {
  const all = JSON.parse(json) as KeyValue[];
  return keys === undefined ? all : all.filter((kv) => keys.includes(kv.Key));
}

/** Keeps the fields a filter names, under their current names; all without a filter. */
export function pick(fields: Record<string, unknown>, names: readonly string[] | undefined, always: readonly string[]): Record<string, unknown> {
  if (names === undefined) return fields;
  const wanted = new Set([...always, ...names.map((n) => (Object.hasOwn(ALIASES, n) ? ALIASES[n] : undefined) ?? n)]);
  return Object.fromEntries(Object.entries(fields).filter(([k]) => wanted.has(k)));
}

function memberInfo(ctx: ApiContext, m: GroupMember, filter: Filter | undefined): Record<string, unknown> {
  const fields = memberBase(ctx, m);
  const picked = pick(fields, filter === undefined ? undefined : (filter.MemberInfoFilter ?? []), ['Member_Account']);
  if (filter !== undefined && filter.AppDefinedDataFilter_GroupMember === undefined) return picked;
  return { ...picked, AppMemberDefinedData: keyValues(m.appDefinedData, filter?.AppDefinedDataFilter_GroupMember) };
}

/** A group's profile fields, in get_group_info's order (get_joined_group_list answers them too). */
export function groupBaseFields(ctx: ApiContext, g: Group, memberNum: number): Record<string, unknown> {
  return {
    Type: g.type,
    Name: g.name,
    Appid: ctx.app.sdkappid,
    Introduction: g.introduction,
    Notification: g.notification,
    FaceUrl: g.faceUrl,
    Owner_Account: g.owner,
    CreateTime: g.createTime,
    InfoSeq: g.infoSeq,
    LastInfoTime: g.lastInfoTime,
    LastMsgTime: g.lastMsgTime,
    NextMsgSeq: g.nextMsgSeq,
    MemberNum: memberNum,
    MaxMemberNum: g.maxMemberCount,
    ApplyJoinOption: g.applyJoinOption,
    MuteAllMember: g.muteAll ? 'On' : 'Off',
  };
}

function groupInfo(ctx: ApiContext, g: Group, members: readonly GroupMember[], filter: Filter | undefined): Record<string, unknown> {
  const base = groupBaseFields(ctx, g, members.length);
  const info: Record<string, unknown> = { GroupId: g.groupId, ErrorCode: 0, ErrorInfo: '', ...pick(base, filter === undefined ? undefined : (filter.GroupBaseInfoFilter ?? []), []) };
  if (filter === undefined || filter.AppDefinedDataFilter_Group !== undefined) info['AppDefinedData'] = keyValues(g.appDefinedData, filter?.AppDefinedDataFilter_Group);
  if (filter === undefined || filter.MemberInfoFilter !== undefined || filter.AppDefinedDataFilter_GroupMember !== undefined) {
    info['MemberList'] = members.map((m) => memberInfo(ctx, m, filter));
  }
  return info;
}

/** Reads up to 50 groups; each entry carries its own ErrorCode (10010 for one that does not exist). */
export const get_group_info = defineApi({
  service: 'group_open_http_svc',
  command: 'get_group_info',
  request: GetGroupInfo,
  invalidCode: 10004,
  summary: 'Read the profile and members of up to 50 groups.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = GetGroupInfo.read(body);
    for (const field of ['GroupIdList', 'ResponseFilter'] as const) {
      if ((field === 'GroupIdList' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)} (GroupIdList: 1 to 50 GroupIds)`);
    }
    const store = ctx.deps.store;
    const app = ctx.app.sdkappid;
    const filter = req.get('ResponseFilter');
    const GroupInfo = await Promise.all(
      req.get('GroupIdList').map(async (groupId) => {
        if (!isGroupIdShape(groupId)) return { GroupId: groupId, ErrorCode: 10015, ErrorInfo: 'the GroupId is malformed' };
        const g = await store.getGroup(app, groupId);
        if (g === undefined) return { GroupId: groupId, ErrorCode: 10010, ErrorInfo: 'the group does not exist or has been destroyed' };
        return groupInfo(ctx, g, await store.groupMembers(app, groupId), filter);
      }),
    );
    return ok({ GroupInfo });
  },
});
