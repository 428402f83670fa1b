import { Type } from '@sinclair/typebox';
import { utf8Bytes } from '../../domain/group-id.js';
import { isUserId } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { LIMITS } from './create_topic.js';
import { findCommunity } from './topic-common.js';

export const ModifyTopic = requestSchema({
  GroupId: Type.String(),
  TopicId: Type.String(),
  /** The member making the change; checked to be an imported account. */
  From_Account: Type.Optional(Type.String()),
  TopicName: Type.Optional(Type.String({ minLength: 1 })),
  FaceUrl: Type.Optional(Type.String()),
  Notification: Type.Optional(Type.String()),
  Introduction: Type.Optional(Type.String()),
  MuteAllMember: Type.Optional(Type.Union([Type.Literal('On'), Type.Literal('Off')])),
  CustomString: Type.Optional(Type.String()),
});

const FIELDS = ['From_Account', 'TopicName', 'FaceUrl', 'Notification', 'Introduction', 'MuteAllMember', 'CustomString'] as const;

/** Changes a topic's profile: the fields given replace the stored ones, the others stay (create_topic's limits). */
export const modify_topic = defineApi({
  service: 'million_group_open_http_svc',
  command: 'modify_topic',
  request: ModifyTopic,
  invalidCode: 10004,
  summary: "Change a topic's name, picture, notice, introduction, custom string or whole-topic mute.",
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = ModifyTopic.read(body);
    const group = await findCommunity(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    if (!req.valid('TopicId')) return fail(10004, req.problem('TopicId'));
    for (const field of FIELDS) {
      if (req.has(field) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'MuteAllMember' ? ' (MuteAllMember: On or Off)' : ''}`);
    }
    for (const [field, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
      const value = req.has(field) ? req.get(field) : undefined;
      if (value !== undefined && utf8Bytes(value) > max) return fail(10004, `${field} is ${utf8Bytes(value)} bytes; at most ${max}`);
    }
    const from = req.get('From_Account');
    if (from !== undefined && (!isUserId(from) || (await ctx.deps.store.accountState(ctx.app.sdkappid, from)) !== 'active')) {
      return fail(10004, `From_Account "${from}" is not an imported account`);
    }
    const topicId = req.get('TopicId');
    const mute = req.get('MuteAllMember');
    const done = await ctx.deps.store.modifyTopic(ctx.app.sdkappid, group.groupId, topicId, {
      name: req.get('TopicName'),
      faceUrl: req.get('FaceUrl'),
      notification: req.get('Notification'),
      introduction: req.get('Introduction'),
      customString: req.get('CustomString'),
      ...(mute === undefined ? {} : { muteAll: mute === 'On' }),
    });
    if (done === 'topic_not_found') return fail(10010, `topic "${topicId}" does not exist in group "${group.groupId}"`);
    return ok();
  },
});
