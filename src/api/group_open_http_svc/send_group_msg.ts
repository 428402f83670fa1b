import { Type } from '@sinclair/typebox';
import { afterSendGroup, beforeSendGroup, enqueueUnstored } from '../../callbacks/hooks.js';
import { nowSeconds } from '../../deps.js';
import { MsgBody, normalizeMsgBody } from '../../domain/elements.js';
import { keepsNoHistory, takesTargetedMessages } from '../../domain/group-id.js';
import { MAX_MESSAGE_BYTES, messageBytes } from '../../domain/message.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import type { GroupKind } from '../../store/group-types.js';
import { defineApi, type Failure, fail, isFailure, ok } from '../define.js';
import { type RequestReader, requestSchema, U32, UserId } from '../request.js';
import { findGroupKind, findTopic, PRIORITIES } from './group-common.js';

/** Seconds within which a second message with the same Random is dropped as a duplicate. */
export const GROUP_DEDUP_SECONDS = 300;
/** A targeted message names at most this many members. */
export const MAX_TARGETS = 50;
/** MsgDropReason of a message that was not dropped (Tencent reports only frequency-control drops). */
const NOT_DROPPED = '';

export const SendGroupMsg = requestSchema({
  GroupId: Type.String(),
  Random: U32,
  MsgPriority: Type.Optional(Type.Union(Object.keys(PRIORITIES).map((p) => Type.Literal(p)))),
  MsgBody,
  From_Account: Type.Optional(Type.String()),
  OfflinePushInfo: Type.Optional(Type.Object({})),
  ForbidCallbackControl: Type.Optional(Type.Array(Type.Union([Type.Literal('ForbidBeforeSendMsgCallback'), Type.Literal('ForbidAfterSendMsgCallback')]))),
  OnlineOnlyFlag: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  SendMsgControl: Type.Optional(Type.Array(Type.Union([Type.Literal('NoLastMsg'), Type.Literal('NoUnread')]))),
  CloudCustomData: Type.Optional(Type.String()),
  SupportMessageExtension: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  TopicId: Type.Optional(Type.String()),
  NeedReadReceipt: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  GroupAtInfo: Type.Optional(Type.Array(Type.Object({ GroupAtAllFlag: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])), GroupAt_Account: Type.Optional(Type.String()) }, { additionalProperties: false }))),
  /** A targeted message: only these members receive it (and it is not counted as unread). */
  To_Account: Type.Optional(Type.Array(UserId, { minItems: 1, maxItems: MAX_TARGETS })),
});

const FORMAT_FIELDS = ['MsgPriority', 'OfflinePushInfo', 'ForbidCallbackControl', 'OnlineOnlyFlag', 'SendMsgControl', 'CloudCustomData', 'SupportMessageExtension', 'NeedReadReceipt', 'GroupAtInfo'] as const;

type Request = RequestReader<typeof SendGroupMsg.schema.properties>;

/** The recipients of a targeted message (empty: the whole group), or why To_Account cannot be used. */
function targets(req: Request, group: GroupKind): readonly string[] | Failure<10004 | 10007> {
  if (!req.has('To_Account')) return [];
  if (!req.valid('To_Account')) return fail(10004, `${req.problem('To_Account')} (To_Account: 1 to ${MAX_TARGETS} UserIDs of members)`);
  if (!takesTargetedMessages(group.type)) return fail(10007, `targeted messages (To_Account) are for Private (Work), Public and ChatRoom (Meeting) groups, not ${group.type}`);
  if (req.has('GroupAtInfo')) return fail(10004, 'a targeted message (To_Account) cannot @ members; leave out GroupAtInfo');
  return [...new Set(req.get('To_Account'))];
}

/**
 * Sends a group message, to the whole group or (To_Account) to up to 50 of its members. Its
 * MsgSeq comes from the group's (or topic's) counter in the same transaction that stores it.
 * AVChatRoom and online-only messages are delivered, never stored.
 */
export const send_group_msg = defineApi({
  service: 'group_open_http_svc',
  command: 'send_group_msg',
  request: SendGroupMsg,
  invalidCode: 10004,
  summary: 'Send a message to a group (or to a Community topic), or to some of its members.',
  codes: [10004, 10007, 10010, 10015, 10016, 10017, 80002],
  async handle(ctx, body) {
    const req = SendGroupMsg.read(body);
    const group = await findGroupKind(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    const topicId = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topicId)) return topicId;
    if (!req.valid('Random')) return fail(10004, `${req.problem('Random')}; Random is a random integer from 0 to 4294967295`);
    const from: unknown = req.has('From_Account') ? body['From_Account'] : ctx.identifier;
    if (!isUserId(from)) return fail(10004, userIdProblem('From_Account', from));
    if ((await ctx.deps.store.accountState(ctx.app.sdkappid, from)) !== 'active') return fail(10004, `From_Account "${from}" is not imported; import it first`);
    const bodyProblem = normalizeMsgBody(body['MsgBody'], ctx.deps.config.strictFields);
    if (bodyProblem !== undefined) return fail(10004, bodyProblem.info);
    for (const field of FORMAT_FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, req.problem(field));
    }
    const onlineOnly = req.get('OnlineOnlyFlag') === 1;
    if (onlineOnly && req.has('SendMsgControl')) return fail(10004, 'SendMsgControl does not apply to an online-only message (OnlineOnlyFlag 1)');
    const toAccounts = targets(req, group);
    if (isFailure(toAccounts)) return toAccounts;
    let msgBody = JSON.stringify(body['MsgBody']);
    let cloudCustomData = req.get('CloudCustomData') ?? '';
    const size = messageBytes(msgBody, cloudCustomData);
    if (size > MAX_MESSAGE_BYTES) return fail(80002, `the message is ${size} bytes (MsgBody JSON plus CloudCustomData); the limit is ${MAX_MESSAGE_BYTES}`);

    const noHistory = keepsNoHistory(group.type);
    // Third-party callbacks (callbacks/hooks.ts): the app server may refuse, drop or rewrite the message.
    const forbid = req.get('ForbidCallbackControl');
    const facts = { groupId: group.groupId, type: group.type, from, random: req.get('Random'), onlineOnly: onlineOnly && !noHistory, body: msgBody, cloudCustomData, topicId };
    const asked = await beforeSendGroup(ctx, forbid, facts);
    if (isFailure(asked)) return asked;
    const time = nowSeconds(ctx.deps.clock);
    if (asked === 'drop') return ok({ MsgTime: time, MsgSeq: 0, MsgDropReason: NOT_DROPPED });
    msgBody = asked.body;
    cloudCustomData = asked.cloudCustomData;
    const after = afterSendGroup(ctx, forbid, { ...facts, body: msgBody, cloudCustomData, groupAtInfo: req.get('GroupAtInfo') });
    // Delivered to online members only: no history, so no MsgSeq either.
    if (onlineOnly && !noHistory) {
      await enqueueUnstored(ctx, after, { kind: 'stored', seq: 0, time });
      ctx.deps.bus.publish({ type: 'group.sent', app: ctx.app.sdkappid, groupId: group.groupId, topicId, from, seq: 0, random: req.get('Random'), time, priority: PRIORITIES[(req.get('MsgPriority') ?? 'Normal') as keyof typeof PRIORITIES], body: msgBody, cloudCustomData, toAccounts, eventTime: ctx.deps.clock.nowMs() });
      return ok({ MsgTime: time, MsgSeq: 0, MsgDropReason: NOT_DROPPED });
    }
    const isAdmin = !req.has('From_Account') || ctx.app.admins.has(from);
    const outcome = await ctx.deps.store.sendGroupMessage(ctx.app.sdkappid, {
      groupId: group.groupId,
      topicId,
      from,
      random: req.get('Random'),
      time,
      priority: PRIORITIES[(req.get('MsgPriority') ?? 'Normal') as keyof typeof PRIORITIES],
      body: msgBody,
      cloudCustomData,
      keep: !noHistory,
      dedupSince: time - GROUP_DEDUP_SECONDS,
      memberOnly: !noHistory && !isAdmin,
      toAccounts,
    }, after);
    switch (outcome.kind) {
      case 'group_not_found':
        return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
      case 'topic_not_found':
        return fail(10010, `topic "${topicId}" does not exist`);
      case 'not_member':
        return fail(10007, `"${from}" is not a member of group "${group.groupId}"; add it first`);
      case 'muted':
        return fail(
          10017,
          outcome.until !== 0
            ? `"${from}" is muted in group "${group.groupId}" until ${outcome.until} (UNIX seconds); forbid_send_msg with MuteTime 0 lifts it`
            : outcome.topic === true
              ? `topic "${topicId}" is muted as a whole (MuteAllMember): only the group's owner, admins and app admins may send to it until modify_topic turns it off`
              : `group "${group.groupId}" is muted as a whole (ShutUpAllMember): only its owner, admins and app admins may send until modify_group_base_info turns it off`,
        );
      case 'recipient_not_member':
        return fail(10004, `To_Account "${outcome.account}" is not a member of group "${group.groupId}"; a targeted message goes to members only`);
      case 'stored':
        ctx.deps.bus.publish({ type: 'group.sent', app: ctx.app.sdkappid, groupId: group.groupId, topicId, from, seq: outcome.seq, random: req.get('Random'), time: outcome.time, priority: PRIORITIES[(req.get('MsgPriority') ?? 'Normal') as keyof typeof PRIORITIES], body: msgBody, cloudCustomData, toAccounts, eventTime: ctx.deps.clock.nowMs() });
        return ok({ MsgTime: outcome.time, MsgSeq: outcome.seq, MsgDropReason: NOT_DROPPED });
      case 'duplicate':
        return ok({ MsgTime: outcome.time, MsgSeq: outcome.seq, MsgDropReason: NOT_DROPPED });
    }
  },
});
