import { Type } from '@sinclair/typebox';
import { utf8Bytes } from '../../domain/group-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroupKind } from './group-common.js';
import { accountsProblem, KeyValues, muteUntil, mutesProblem } from './member-common.js';

const MAX_NAME_CARD_BYTES = 50;

export const ModifyGroupMemberInfo = requestSchema({
  GroupId: Type.String(),
  Member_Account: Type.String(),
  /** Admin: make an admin; Member: take the admin role away. The owner's role changes only by change_group_owner. */
  Role: Type.Optional(Type.Union([Type.Literal('Admin'), Type.Literal('Member')])),
  MsgFlag: Type.Optional(Type.Union([Type.Literal('AcceptAndNotify'), Type.Literal('AcceptNotNotify'), Type.Literal('Discard')])),
  NameCard: Type.Optional(Type.String()),
  /** Merged by Key; an empty Value removes the Key. */
  AppMemberDefinedData: Type.Optional(KeyValues),
  MuteTime: Type.Optional(U32),
  /** The older name of MuteTime. */
  ShutUpTime: Type.Optional(U32),
});

const FIELDS = ['Role', 'MsgFlag', 'NameCard', 'AppMemberDefinedData', 'MuteTime', 'ShutUpTime'] as const;

/** Changes one member's role, message flag, name card, custom fields or mute. */
export const modify_group_member_info = defineApi({
  service: 'group_open_http_svc',
  command: 'modify_group_member_info',
  request: ModifyGroupMemberInfo,
  invalidCode: 10004,
  summary: "Change a member's role, MsgFlag, NameCard, custom fields or mute.",
  codes: [10004, 10007, 10010, 10015, 10019],
  async handle(ctx, body) {
    const req = ModifyGroupMemberInfo.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('Member_Account')) return fail(10004, req.problem('Member_Account'));
    for (const field of FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    if (!FIELDS.some((f) => req.has(f))) return fail(10004, `nothing to change: give one or more of ${FIELDS.join(', ')}`);
    const nameCard = req.get('NameCard');
    if (nameCard !== undefined && utf8Bytes(nameCard) > MAX_NAME_CARD_BYTES) return fail(10004, `NameCard is ${utf8Bytes(nameCard)} bytes; at most ${MAX_NAME_CARD_BYTES}`);
    if (group.type === 'AVChatRoom') return fail(10007, 'an AVChatRoom keeps no member profiles to modify');
    const seconds = req.get('MuteTime') ?? req.get('ShutUpTime');
    if (seconds !== undefined) {
      const problem = mutesProblem(group.groupId, group.type);
      if (problem !== undefined) return problem;
    }
    const account = req.get('Member_Account');
    const accountProblem = await accountsProblem(ctx, 'Member_Account', [account]);
    if (accountProblem !== undefined) return accountProblem;
    const outcome = await ctx.deps.store.modifyGroupMember(ctx.app.sdkappid, group.groupId, account, {
      role: req.get('Role'),
      msgFlag: req.get('MsgFlag'),
      nameCard,
      appDefinedData: req.get('AppMemberDefinedData'),
      muteUntil: seconds === undefined ? undefined : muteUntil(ctx, seconds),
    });
    switch (outcome) {
      case 'group_not_found':
        return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
      case 'not_member':
        return fail(10007, `"${account}" is not a member of group "${group.groupId}"`);
      case 'owner':
        return fail(10004, `"${account}" owns group "${group.groupId}": the owner cannot be muted, and its role changes only by change_group_owner`);
      case 'ok':
        return ok();
    }
  },
});
