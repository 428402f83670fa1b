import { Type } from '@sinclair/typebox';
import { afterRecallGroup } from '../../callbacks/hooks.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup, findTopic } from './group-common.js';

export const GroupMsgRecall = requestSchema({
  GroupId: Type.String(),
  MsgSeqList: Type.Array(Type.Object({ MsgSeq: Type.Integer({ minimum: 1, maximum: 0xffffffff }) }, { additionalProperties: false }), { minItems: 1, maxItems: 10 }),
  TopicId: Type.Optional(Type.String()),
  Reason: Type.Optional(Type.String()),
});

/** RetCode per message: 0 recalled now, 10030 no such message, 10032 already recalled. */
const RET_CODE = { ok: 0, not_found: 10030, recalled: 10032 } as const;

/** Recalls up to 10 group messages; each keeps its MsgSeq but its content is destroyed. */
export const group_msg_recall = defineApi({
  service: 'group_open_http_svc',
  command: 'group_msg_recall',
  request: GroupMsgRecall,
  invalidCode: 10004,
  summary: 'Recall up to 10 group messages.',
  codes: [10004, 10010, 10015, 10030, 10032],
  async handle(ctx, body) {
    const req = GroupMsgRecall.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['MsgSeqList', 'Reason'] as const) {
      if ((field === 'MsgSeqList' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'MsgSeqList' ? ' (1 to 10 of {"MsgSeq": n})' : ''}`);
    }
    const topicId = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topicId)) return topicId;
    const seqs = req.get('MsgSeqList').map((m) => m.MsgSeq);
    const RecallRetList = [];
    const recalled: number[] = [];
    for (const seq of seqs) {
      const after = afterRecallGroup(ctx, group.groupId, group.type, topicId, seq);
      const outcome = await ctx.deps.store.recallGroupMessage(ctx.app.sdkappid, group.groupId, topicId, seq, after);
      if (outcome === 'ok') recalled.push(seq);
      RecallRetList.push({ MsgSeq: seq, RetCode: RET_CODE[outcome] });
    }
    if (recalled.length > 0) {
      ctx.deps.bus.publish({ type: 'group.recalled', app: ctx.app.sdkappid, operator: ctx.identifier, groupId: group.groupId, topicId, seqs: recalled, eventTime: ctx.deps.clock.nowMs() });
    }
    return ok({ RecallRetList });
  },
});
