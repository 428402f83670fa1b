import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { autoTopicId, customTopicIdProblem, utf8Bytes } from '../../domain/group-id.js';
import { isUserId } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findCommunity } from './topic-common.js';

/** Byte limits of the text fields (UTF-8). */
export const LIMITS = { TopicName: 150, CustomString: 3000, FaceUrl: 100, Notification: 300, Introduction: 240 } as const;

export const CreateTopic = requestSchema({
  GroupId: Type.String(),
  TopicId: Type.Optional(Type.String()),
  TopicName: Type.String({ minLength: 1 }),
  From_Account: Type.Optional(Type.String()),
  CustomString: Type.Optional(Type.String()),
  FaceUrl: Type.Optional(Type.String()),
  Notification: Type.Optional(Type.String()),
  Introduction: Type.Optional(Type.String()),
});

/** Creates a topic in a Community with topics; its messages get their own MsgSeq from 1. */
export const create_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'create_topic',
  request: CreateTopic,
  invalidCode: 10004,
  summary: 'Create a topic in a Community with topics.',
  codes: [10004, 10010, 10015, 10021],
  async handle(ctx, body) {
    const req = CreateTopic.read(body);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['TopicName', 'TopicId', 'From_Account', ...Object.keys(LIMITS)] as const) {
      const f = field as keyof typeof CreateTopic.schema.properties;
      if ((f === 'TopicName' || req.has(f)) && !req.valid(f)) return fail(10004, req.problem(f));
    }
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = req.has(field) ? req.get(field) : undefined;
      if (value !== undefined && utf8Bytes(value) > max) return fail(10004, `${field} is ${utf8Bytes(value)} bytes; at most ${max}`);
    }
    const from = req.get('From_Account');
    if (from !== undefined && (!isUserId(from) || (await ctx.deps.store.accountState(ctx.app.sdkappid, from)) !== 'active')) {
      return fail(10004, `From_Account "${from}" is not an imported account`);
    }
    const custom = req.get('TopicId');
    if (custom !== undefined) {
      const problem = customTopicIdProblem(group.groupId, custom);
      if (problem !== undefined) return fail(10004, problem);
    }
    const topic = {
      groupId: group.groupId,
      name: req.get('TopicName'),
      fromAccount: from ?? '',
      customString: req.get('CustomString') ?? '',
      faceUrl: req.get('FaceUrl') ?? '',
      notification: req.get('Notification') ?? '',
      introduction: req.get('Introduction') ?? '',
      createTime: nowSeconds(ctx.deps.clock),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const topicId = custom ?? autoTopicId(group.groupId);
      const created = await ctx.deps.store.createTopic(ctx.app.sdkappid, { ...topic, topicId });
      if (created === 'created') return ok({ TopicId: topicId });
      if (created === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
      if (custom !== undefined) return fail(10021, `TopicId "${custom}" is already in use`);
    }
    throw new Error('could not find a free automatic TopicId in 5 attempts');
  },
});
