import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup, findTopic } from './group-common.js';

/** At most this many messages per call; a larger ReqMsgNumber is answered with this many and IsFinished 0. */
export const MAX_GROUP_PAGE = 20;

export const GroupMsgGetSimple = requestSchema({
  GroupId: Type.String(),
  ReqMsgNumber: Type.Integer({ minimum: 1, maximum: 0xffffffff }),
  ReqMsgSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: 0xffffffff })),
  WithRecalledMsg: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  TopicId: Type.Optional(Type.String()),
});

/** IsPlaceMsg of a recalled message. */
const RECALLED_PLACE = 2;

/**
 * Reads up to ReqMsgNumber messages with MsgSeq ≤ ReqMsgSeq (default: the newest), newest first;
 * recalled ones are skipped unless WithRecalledMsg is 1, so a page is never empty while older
 * messages remain. The next page is asked for with ReqMsgSeq = the smallest MsgSeq returned - 1.
 */
export const group_msg_get_simple = defineApi({
  service: 'group_open_http_svc',
  command: 'group_msg_get_simple',
  request: GroupMsgGetSimple,
  invalidCode: 10004,
  summary: 'Read a group\'s (or topic\'s) history, up to 20 messages a call.',
  codes: [10004, 10007, 10010, 10015],
  async handle(ctx, body) {
    const req = GroupMsgGetSimple.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['ReqMsgNumber', 'ReqMsgSeq', 'WithRecalledMsg'] as const) {
      if ((field === 'ReqMsgNumber' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'ReqMsgNumber' ? ` (at least 1; at most ${MAX_GROUP_PAGE} come back per call)` : ''}`);
    }
    if (group.type === 'AVChatRoom') return fail(10007, 'audio-video groups keep no history');
    const topicId = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topicId)) return topicId;
    const store = ctx.deps.store;
    const app = ctx.app.sdkappid;
    const newest = (topicId === '' ? group.nextMsgSeq : ((await store.getTopic(app, group.groupId, topicId))?.nextMsgSeq ?? 1)) - 1;
    const toSeq = Math.min(req.get('ReqMsgSeq') ?? newest, newest);
    const wanted = req.get('ReqMsgNumber');
    const served = Math.min(wanted, MAX_GROUP_PAGE);
    // One more than served tells whether a clamped request left messages behind (IsFinished 0).
    const found = toSeq < 1 ? [] : await store.groupHistory(app, group.groupId, topicId, toSeq, wanted > served ? served + 1 : served, req.get('WithRecalledMsg') === 1);
    return ok({
      GroupId: group.groupId,
      IsFinished: found.length > served ? 0 : 1,
      RspMsgList: found.slice(0, served).map((m) => ({
        From_Account: m.from,
        IsPlaceMsg: m.recalled ? RECALLED_PLACE : 0,
        MsgBody: JSON.parse(m.body) as unknown,
        MsgPriority: m.priority,
        MsgRandom: m.random,
        MsgSeq: m.seq,
        MsgTimeStamp: m.time,
        // System notifications (send_group_system_notification) are online only, never stored (Tencent), so every stored message is a member's.
        IsSystemMsg: 0,
        CloudCustomData: m.cloudCustomData,
      })),
    });
  },
});
