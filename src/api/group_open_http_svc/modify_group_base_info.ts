import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { utf8Bytes } from '../../domain/group-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroupKind } from './group-common.js';
import { KeyValues, mutesProblem } from './member-common.js';

/** Byte limits of the text fields (UTF-8), as in create_group. */
const LIMITS = { Name: 30, Introduction: 240, Notification: 300, FaceUrl: 100 } as const;
const OnOff = Type.Union([Type.Literal('On'), Type.Literal('Off')]);

export const ModifyGroupBaseInfo = requestSchema({
  GroupId: Type.String(),
  Name: Type.Optional(Type.String({ minLength: 1 })),
  Introduction: Type.Optional(Type.String()),
  Notification: Type.Optional(Type.String()),
  FaceUrl: Type.Optional(Type.String()),
  MaxMemberNum: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
  ApplyJoinOption: Type.Optional(Type.Union([Type.Literal('FreeAccess'), Type.Literal('NeedPermission'), Type.Literal('DisableApply')])),
  InviteJoinOption: Type.Optional(Type.Union([Type.Literal('FreeAccess'), Type.Literal('NeedPermission'), Type.Literal('DisableInvite')])),
  MuteAllMember: Type.Optional(OnOff),
  /** The older name of MuteAllMember. */
  ShutUpAllMember: Type.Optional(OnOff),
  /** Merged by Key; an empty Value removes the Key. */
  AppDefinedData: Type.Optional(KeyValues),
});

const FIELDS = ['Name', 'Introduction', 'Notification', 'FaceUrl', 'MaxMemberNum', 'ApplyJoinOption', 'InviteJoinOption', 'MuteAllMember', 'ShutUpAllMember', 'AppDefinedData'] as const;

/** Changes a group's profile: each given field replaces the stored one; InfoSeq moves on by one. */
export const modify_group_base_info = defineApi({
  service: 'group_open_http_svc',
  command: 'modify_group_base_info',
  request: ModifyGroupBaseInfo,
  invalidCode: 10004,
  summary: "Change a group's profile, custom fields and whole-group mute (MuteAllMember).",
  codes: [10004, 10007, 10010, 10015],
  async handle(ctx, body) {
    const req = ModifyGroupBaseInfo.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    if (!FIELDS.some((f) => req.has(f))) return fail(10004, `nothing to change: give one or more of ${FIELDS.join(', ')}`);
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = req.get(field);
      if (value !== undefined && utf8Bytes(value) > max) return fail(10004, `${field} is ${utf8Bytes(value)} bytes; at most ${max}`);
    }
    const muteAll = req.get('MuteAllMember') ?? req.get('ShutUpAllMember');
    if (muteAll !== undefined) {
      const problem = mutesProblem(group.groupId, group.type);
      if (problem !== undefined) return problem;
    }
    if (req.has('InviteJoinOption') && group.type === 'AVChatRoom') return fail(10007, 'an AVChatRoom has no invitations, so InviteJoinOption does not apply');
    const outcome = await ctx.deps.store.modifyGroup(ctx.app.sdkappid, group.groupId, {
      name: req.get('Name'),
      introduction: req.get('Introduction'),
      notification: req.get('Notification'),
      faceUrl: req.get('FaceUrl'),
      maxMemberCount: req.get('MaxMemberNum'),
      applyJoinOption: req.get('ApplyJoinOption'),
      inviteJoinOption: req.get('InviteJoinOption'),
      muteAll: muteAll === undefined ? undefined : muteAll === 'On',
      appDefinedData: req.get('AppDefinedData'),
      time: nowSeconds(ctx.deps.clock),
    });
    if (outcome === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (outcome !== 'ok') return fail(10004, `MaxMemberNum ${req.get('MaxMemberNum') ?? 0} is below the ${outcome.members} members the group has; remove members first`);
    return ok();
  },
});
