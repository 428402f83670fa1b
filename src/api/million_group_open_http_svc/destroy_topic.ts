import { Type } from '@sinclair/typebox';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findCommunity } from './topic-common.js';

export const DestroyTopic = requestSchema({
  GroupId: Type.String(),
  TopicIdList: Type.Array(Type.String(), { minItems: 1, maxItems: 100 }),
});

/** Destroys topics with their history; answers per topic. */
export const destroy_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'destroy_topic',
  summary: 'Destroy topics of a Community, with their history.',
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = DestroyTopic.read(body);
    if (req.unknownField !== undefined) return fail(10004, `unknown field "${req.unknownField}"; destroy_topic takes GroupId and TopicIdList`);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('TopicIdList')) return fail(10004, `${req.problem('TopicIdList')} (1 to 100 TopicIds)`);
    const DestroyResultItem = [];
    for (const topicId of new Set(req.get('TopicIdList'))) {
      const done = await ctx.deps.store.destroyTopic(ctx.app.sdkappid, group.groupId, topicId);
      DestroyResultItem.push(done ? { ErrorCode: 0, ErrorInfo: '', TopicId: topicId } : { ErrorCode: 10010, ErrorInfo: 'the topic does not exist', TopicId: topicId });
    }
    return ok({ DestroyResultItem });
  },
});
