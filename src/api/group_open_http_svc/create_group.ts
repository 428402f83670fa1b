import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { autoGroupId, customGroupIdProblem, GROUP_TYPES, utf8Bytes } from '../../domain/group-id.js';
import { isUserId } from '../../domain/user-id.js';
import type { GroupMemberInput, GroupType, NewGroup } from '../../store/group-types.js';
import { type ApiContext, defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';

/** Byte limits of the text fields (UTF-8); import_group's too. */
export const LIMITS = { Name: 30, Introduction: 240, Notification: 300, FaceUrl: 100 } as const;
/** Members a group holds when MaxMemberCount is not given, and the most create_group accepts. */
export const DEFAULT_MAX_MEMBERS = 6000;
const MAX_INITIAL_MEMBERS = 500;

const Role = Type.Union([Type.Literal('Admin'), Type.Literal('Member')]);
const MsgFlag = Type.Union([Type.Literal('AcceptAndNotify'), Type.Literal('AcceptNotNotify'), Type.Literal('Discard')]);
const KeyValues = Type.Array(Type.Object({ Key: Type.String({ minLength: 1 }), Value: Type.String() }, { additionalProperties: false }), { maxItems: 100 });

/**
 * Stores a new group under its custom GroupId, or under a fresh automatic one (tried again on the
 * rare clash); undefined when the custom GroupId is taken.
 */
export async function storeNewGroup(ctx: ApiContext, group: Omit<NewGroup, 'groupId'>, custom: string | undefined): Promise<string | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const groupId = custom ?? autoGroupId(group.type);
    if (await ctx.deps.store.createGroup(ctx.app.sdkappid, { ...group, groupId })) return groupId;
    if (custom !== undefined) return undefined;
  }
  throw new Error('could not find a free automatic GroupId in 5 attempts');
}

export const CreateGroup = requestSchema({
  Owner_Account: Type.Optional(Type.String()),
  Type: Type.Union(GROUP_TYPES.map((t) => Type.Literal(t))),
  GroupId: Type.Optional(Type.String()),
  Name: Type.String({ minLength: 1 }),
  Introduction: Type.Optional(Type.String()),
  Notification: Type.Optional(Type.String()),
  FaceUrl: Type.Optional(Type.String()),
  MaxMemberCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
  ApplyJoinOption: Type.Optional(Type.Union([Type.Literal('FreeAccess'), Type.Literal('NeedPermission'), Type.Literal('DisableApply')])),
  InviteJoinOption: Type.Optional(Type.Union([Type.Literal('FreeAccess'), Type.Literal('NeedPermission'), Type.Literal('DisableInvite')])),
  AppDefinedData: Type.Optional(KeyValues),
  /** Custom member fields every initial member gets unless its MemberList entry gives its own. */
  AppMemberDefinedData: Type.Optional(KeyValues),
  EnablePermission: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  DefaultPermission: Type.Optional(Type.Integer({ minimum: 0 })),
  MemberList: Type.Optional(
    Type.Array(
      Type.Object(
        {
          Member_Account: Type.String(),
          Role: Type.Optional(Role),
          NameCard: Type.Optional(Type.String({ maxLength: 50 })),
          MsgFlag: Type.Optional(MsgFlag),
          JoinTime: Type.Optional(U32),
          AppMemberDefinedData: Type.Optional(KeyValues),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_INITIAL_MEMBERS },
    ),
  ),
  SupportTopic: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
});

const CHECK_ORDER = [
  'Type',
  'Name',
  'Owner_Account',
  'GroupId',
  'Introduction',
  'Notification',
  'FaceUrl',
  'MaxMemberCount',
  'ApplyJoinOption',
  'InviteJoinOption',
  'AppDefinedData',
  'AppMemberDefinedData',
  'MemberList',
  'SupportTopic',
  'EnablePermission',
  'DefaultPermission',
] as const;

/** Creates a group of any type, with an automatic or custom GroupId, an owner and initial members. */
export const create_group = defineApi({
  service: 'group_open_http_svc',
  command: 'create_group',
  request: CreateGroup,
  invalidCode: 10004,
  summary: 'Create a group (Private/Work, Public, ChatRoom/Meeting, AVChatRoom, Community).',
  codes: [10004, 10007, 10021],
  async handle(ctx, body) {
    const req = CreateGroup.read(body);
    for (const field of CHECK_ORDER) {
      if ((field === 'Type' || field === 'Name' || req.has(field)) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = req.has(field) ? req.get(field) : undefined;
      if (value !== undefined && utf8Bytes(value) > max) return fail(10004, `${field} is ${utf8Bytes(value)} bytes; at most ${max}`);
    }
    const type: GroupType = req.get('Type');
    if (req.has('SupportTopic') && req.get('SupportTopic') === 1 && type !== 'Community') return fail(10004, 'SupportTopic applies to Community groups only');
    const store = ctx.deps.store;
    const owner = req.has('Owner_Account') ? req.get('Owner_Account') ?? '' : '';
    const accounts = [owner, ...(req.get('MemberList') ?? []).map((m) => m.Member_Account)].filter((a) => a !== '');
    const bad = accounts.find((a) => !isUserId(a));
    if (bad !== undefined) return fail(10004, `"${bad}" is not a valid UserID`);
    if (type === 'AVChatRoom' && (req.get('MemberList')?.length ?? 0) > 0) return fail(10007, 'an AVChatRoom takes no MemberList: members join it themselves');
    const states = await store.accountStates(ctx.app.sdkappid, accounts);
    const missing = accounts.find((a) => states.get(a) !== 'active');
    if (missing !== undefined) return fail(10004, `account "${missing}" is not imported; import it first`);

    // The owner may be listed in MemberList too, for its own member fields; it stays the owner.
    const members: GroupMemberInput[] = [];
    const listed = req.get('MemberList') ?? [];
    if (owner !== '' && !listed.some((m) => m.Member_Account === owner)) members.push({ account: owner, role: 'Owner' });
    for (const m of listed) {
      const appDefinedData = m.AppMemberDefinedData === undefined ? undefined : JSON.stringify(m.AppMemberDefinedData);
      const role = m.Member_Account === owner ? 'Owner' : (m.Role ?? 'Member');
      if (!members.some((x) => x.account === m.Member_Account)) members.push({ account: m.Member_Account, role, nameCard: m.NameCard, msgFlag: m.MsgFlag, appDefinedData });
    }
    const maxMemberCount = req.get('MaxMemberCount') ?? DEFAULT_MAX_MEMBERS;
    if (members.length > maxMemberCount) return fail(10004, `MemberList holds ${members.length} members but MaxMemberCount is ${maxMemberCount}`);
    const custom = req.get('GroupId');
    if (custom !== undefined) {
      const problem = customGroupIdProblem(custom, type);
      if (problem !== undefined) return fail(10004, problem);
    }
    const group = {
      type,
      name: req.get('Name'),
      owner,
      introduction: req.get('Introduction') ?? '',
      notification: req.get('Notification') ?? '',
      faceUrl: req.get('FaceUrl') ?? '',
      maxMemberCount,
      applyJoinOption: req.get('ApplyJoinOption') ?? 'NeedPermission',
      inviteJoinOption: req.get('InviteJoinOption') ?? 'NeedPermission',
      supportTopic: req.get('SupportTopic') === 1,
      appDefinedData: JSON.stringify(req.get('AppDefinedData') ?? []),
      members,
      createTime: nowSeconds(ctx.deps.clock),
      enablePermission: req.get('EnablePermission') ?? 0,
      defaultPermission: req.get('DefaultPermission') ?? 0,
      appMemberDefinedData: JSON.stringify(req.get('AppMemberDefinedData') ?? []),
    };
    const groupId = await storeNewGroup(ctx, group, custom);
    if (groupId === undefined) return fail(10021, `GroupId "${custom}" is already in use`);
    // Tencent answers a Community's creation with its Type and HugeGroupFlag as well.
    return ok(type === 'Community' ? { GroupId: groupId, HugeGroupFlag: 0, Type: type } : { GroupId: groupId });
  },
});
