import { Type } from '@sinclair/typebox';
import { afterModifyGroup } from '../../callbacks/hooks.js';
import { MsgBody } from '../../domain/elements.js';
import { MAX_MESSAGE_BYTES } from '../../domain/message.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { findGroupKind, findTopic } from '../group_open_http_svc/group-common.js';
import { requestSchema } from '../request.js';
import { readPatch, refusedModification } from './modify-common.js';

export const ModifyGroupMsg = requestSchema({
  GroupId: Type.String(),
  MsgSeq: Type.Integer({ minimum: 1, maximum: 0xffffffff }),
  MsgBody: Type.Optional(MsgBody),
  CloudCustomData: Type.Optional(Type.String()),
  TopicId: Type.Optional(Type.String()),
});

/**
 * Overwrites MsgBody and/or CloudCustomData of a stored group message, by GroupId and MsgSeq
 * (and TopicId in a Community with topics): seed modify_group_msg.md, decisions.md §6, checks in
 * that order. Audio-video groups keep no history and are refused.
 */
export const modify_group_msg = defineApi({
  service: 'openim',
  command: 'modify_group_msg',
  request: ModifyGroupMsg,
  invalidCode: 20001,
  summary: 'Modify the MsgBody and/or CloudCustomData of a group message.',
  codes: [20001, 10010, 10015, 10007, 10004, 90007, 90002, 90010, 20026, 20023],
  successInfo: 'succeed',
  async handle(ctx, body) {
    const req = ModifyGroupMsg.read(body);
    const group = await findGroupKind(ctx, body['GroupId'], 20001);
    if (isFailure(group)) return group;
    if (!req.valid('MsgSeq')) return fail(20001, `${req.problem('MsgSeq')}; MsgSeq is the message's sequence number, an integer from 1`);
    if (group.type === 'AVChatRoom') return fail(10007, 'audio-video groups keep no history to modify');
    const topicId = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topicId)) return topicId;
    const patch = readPatch(body, ctx.deps.config.strictFields);
    if (isFailure(patch)) return patch;

    const seq = req.get('MsgSeq');
    const after = afterModifyGroup(ctx, group.groupId, topicId, seq);
    const outcome = await ctx.deps.store.modifyGroupMessage(ctx.app.sdkappid, group.groupId, topicId, seq, { ...patch, maxSize: MAX_MESSAGE_BYTES }, after);
    const where = topicId === '' ? `group "${group.groupId}"` : `topic "${topicId}"`;
    if (outcome.kind !== 'ok') return refusedModification(outcome.kind, `with MsgSeq ${seq} in ${where}`);
    ctx.deps.bus.publish({
      type: 'group.modified',
      app: ctx.app.sdkappid,
      operator: ctx.identifier,
      groupId: group.groupId,
      topicId,
      seq,
      body: outcome.body,
      cloudCustomData: outcome.cloudCustomData,
      eventTime: ctx.deps.clock.nowMs(),
    });
    return ok();
  },
});
