import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { customGroupIdProblem, utf8Bytes } from '../../domain/group-id.js';
import { isUserId } from '../../domain/user-id.js';
import type { GroupMemberInput, GroupType } from '../../store/group-types.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { CreateGroup, DEFAULT_MAX_MEMBERS, LIMITS, storeNewGroup } from './create_group.js';

const { MemberList: _members, AppMemberDefinedData: _memberData, ...groupFields } = CreateGroup.schema.properties;

export const ImportGroup = requestSchema({
  ...groupFields,
  /** When the group was created in the system it comes from; omitted: now. */
  CreateTime: Type.Optional(U32),
});

const CHECK_ORDER = ['Type', 'Name', 'Owner_Account', 'GroupId', 'Introduction', 'Notification', 'FaceUrl', 'MaxMemberCount', 'ApplyJoinOption', 'InviteJoinOption', 'AppDefinedData', 'SupportTopic', 'CreateTime', 'EnablePermission', 'DefaultPermission'] as const;

/**
 * Imports a group from another system with its historical CreateTime, and its owner as the only
 * member (import_group_member brings the others). No callback, no notification (Tencent's page).
 */
export const import_group = defineApi({
  service: 'group_open_http_svc',
  command: 'import_group',
  request: ImportGroup,
  invalidCode: 10004,
  summary: 'Import a group (not an AVChatRoom) with its historical creation time.',
  codes: [10004, 10007, 10021],
  async handle(ctx, body) {
    const req = ImportGroup.read(body);
    for (const field of CHECK_ORDER) {
      if ((field === 'Type' || field === 'Name' || req.has(field)) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    const type: GroupType = req.get('Type');
    if (type === 'AVChatRoom') return fail(10007, 'import_group does not apply to AVChatRoom groups: create one with create_group');
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = req.has(field) ? req.get(field) : undefined;
      if (value !== undefined && utf8Bytes(value) > max) return fail(10004, `${field} is ${utf8Bytes(value)} bytes; at most ${max}`);
    }
    if (req.get('SupportTopic') === 1 && type !== 'Community') return fail(10004, 'SupportTopic applies to Community groups only');
    const now = nowSeconds(ctx.deps.clock);
    const createTime = req.get('CreateTime') ?? now;
    if (createTime > now) return fail(10004, `CreateTime ${createTime} is in the future (now is ${now}); import groups as they were created`);
    const owner = req.get('Owner_Account') ?? '';
    const members: GroupMemberInput[] = [];
    if (owner !== '') {
      if (!isUserId(owner)) return fail(10004, `Owner_Account "${owner}" is not a valid UserID`);
      if ((await ctx.deps.store.accountState(ctx.app.sdkappid, owner)) !== 'active') return fail(10004, `Owner_Account "${owner}" is not imported; import it first`);
      members.push({ account: owner, role: 'Owner' });
    }
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
      maxMemberCount: req.get('MaxMemberCount') ?? DEFAULT_MAX_MEMBERS,
      applyJoinOption: req.get('ApplyJoinOption') ?? 'NeedPermission',
      inviteJoinOption: req.get('InviteJoinOption') ?? 'NeedPermission',
      supportTopic: req.get('SupportTopic') === 1,
      appDefinedData: JSON.stringify(req.get('AppDefinedData') ?? []),
      members,
      createTime,
    };
    const groupId = await storeNewGroup(ctx, group, custom);
    return groupId === undefined ? fail(10021, `GroupId "${custom}" is already in use`) : ok({ GroupId: groupId });
  },
});
