import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroupKind, findTopic } from './group-common.js';
import { accountsProblem, muteUntil, mutesProblem } from './member-common.js';

/** Accounts one call may mute or unmute. */
const MAX_ACCOUNTS = 500;

export const ForbidSendMsg = requestSchema({
  GroupId: Type.String(),
  Members_Account: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_ACCOUNTS }),
  /** Seconds; 0 lifts the mute, 4294967295 mutes for good. */
  MuteTime: Type.Optional(U32),
  /** The older name of MuteTime (Tencent's pages before 2023). */
  ShutUpTime: Type.Optional(U32),
  /** A Community topic; a mute applies to the whole Community, topics included. */
  TopicId: Type.Optional(Type.String()),
});

/** Mutes members of a group for a while (or, with 0, lifts their mutes); the owner cannot be muted. */
export const forbid_send_msg = defineApi({
  service: 'group_open_http_svc',
  command: 'forbid_send_msg',
  request: ForbidSendMsg,
  invalidCode: 10004,
  summary: 'Mute up to 500 members of a group for a time, or lift their mutes.',
  codes: [10004, 10007, 10010, 10015, 10019],
  async handle(ctx, body) {
    const req = ForbidSendMsg.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    const topic = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topic)) return topic;
    if (!req.valid('Members_Account')) return fail(10004, `${req.problem('Members_Account')} (Members_Account: 1 to ${MAX_ACCOUNTS} UserIDs)`);
    const timeField = req.has('MuteTime') || !req.has('ShutUpTime') ? 'MuteTime' : 'ShutUpTime';
    if (!req.valid(timeField)) return fail(10004, `${req.problem(timeField)}: ${timeField} is the mute in seconds, 0 to lift it, 4294967295 for good`);
    const muteProblem = mutesProblem(group.groupId, group.type);
    if (muteProblem !== undefined) return muteProblem;
    const accounts = [...new Set(req.get('Members_Account'))];
    const accountProblem = await accountsProblem(ctx, 'Members_Account', accounts);
    if (accountProblem !== undefined) return accountProblem;
    const outcome = await ctx.deps.store.muteGroupMembers(ctx.app.sdkappid, group.groupId, accounts, muteUntil(ctx, req.get(timeField) ?? 0));
    if (outcome === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (outcome === 'owner') return fail(10004, `the owner of group "${group.groupId}" cannot be muted; leave the owner out of Members_Account`);
    if (outcome !== 'ok') return fail(10007, `"${outcome.account}" is not a member of group "${group.groupId}"; nobody was muted`);
    return ok();
  },
});
