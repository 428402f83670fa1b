import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findCommunity } from './topic-common.js';

export const DestroyTopic = requestSchema({
  GroupId: Type.String(),
  TopicIdList: Type.Array(Type.String(), { minItems: 1, maxItems: 100 }),
});

/** Destroys topics with their history; answers per topic (110003 for one that is not there, as Tencent does). */
export const destroy_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'destroy_topic',
  request: DestroyTopic,
  invalidCode: 10004,
  summary: 'Destroy topics of a Community, with their history.',
  codes: [10004, 10010, 10015, 110003],
  async handle(ctx, body) {
    const req = DestroyTopic.read(body);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('TopicIdList')) return fail(10004, `${req.problem('TopicIdList')} (1 to 100 TopicIds)`);
    const DestroyResultItem = [];
    for (const topicId of new Set(req.get('TopicIdList'))) {
      const done = await ctx.deps.store.destroyTopic(ctx.app.sdkappid, group.groupId, topicId);
      DestroyResultItem.push(done ? { ErrorCode: 0, ErrorInfo: '', TopicId: topicId } : { ErrorCode: 110003, ErrorInfo: 'the topic does not exist or has already been destroyed', TopicId: topicId });
    }
    return ok({ DestroyResultItem });
  },
});
