import { Type } from '@sinclair/typebox';
import { MAX_MESSAGE_BYTES } from '../../domain/message.js';
import { utf8Bytes } from '../../domain/group-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, UserId } from '../request.js';
import { findGroup, findTopic } from './group-common.js';

/** Recipients one notification names at most (the international page; a newer Chinese page says 50). */
export const MAX_NOTIFIED = 500;

export const SendGroupSystemNotification = requestSchema({
  GroupId: Type.String(),
  ToMembers_Account: Type.Optional(Type.Array(UserId, { maxItems: MAX_NOTIFIED })),
  Content: Type.String(),
  TopicId: Type.Optional(Type.String()),
});

/**
 * Pushes a system notification to a group's online members (or to some of them). Tencent's page:
 * "system notifications are online messages and are not stored in roaming", with neither before- nor
 * after-send callbacks; so parley stores nothing, fires no callback, and delivers it on the event
 * stream (Group.SystemNotification) to members connected or resumable. An AVChatRoom takes it for
 * every member only.
 */
export const send_group_system_notification = defineApi({
  service: 'group_open_http_svc',
  command: 'send_group_system_notification',
  request: SendGroupSystemNotification,
  invalidCode: 10004,
  summary: 'Push a system notification to the online members of a group (not stored).',
  codes: [10004, 10007, 10010, 10015],
  async handle(ctx, body) {
    const req = SendGroupSystemNotification.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    for (const field of ['Content', 'ToMembers_Account'] as const) {
      if ((field === 'Content' || req.has(field)) && !req.valid(field)) return fail(10004, `${req.problem(field)}${field === 'ToMembers_Account' ? ` (at most ${MAX_NOTIFIED} UserIDs of members)` : ''}`);
    }
    const content = req.get('Content');
    if (utf8Bytes(content) > MAX_MESSAGE_BYTES) return fail(10004, `Content is ${utf8Bytes(content)} bytes; at most ${MAX_MESSAGE_BYTES}`);
    const topicId = await findTopic(ctx, group, body['TopicId']);
    if (isFailure(topicId)) return topicId;
    const toAccounts = [...new Set(req.get('ToMembers_Account') ?? [])];
    if (toAccounts.length > 0) {
      if (group.type === 'AVChatRoom') return fail(10007, 'an AVChatRoom takes system notifications for every member only; leave out ToMembers_Account');
      const members = new Set((await ctx.deps.store.groupMembers(ctx.app.sdkappid, group.groupId)).map((m) => m.account));
      const outsider = toAccounts.find((a) => !members.has(a));
      if (outsider !== undefined) return fail(10004, `ToMembers_Account "${outsider}" is not a member of group "${group.groupId}"`);
    }
    ctx.deps.bus.publish({ type: 'group.system', app: ctx.app.sdkappid, groupId: group.groupId, topicId, content, toAccounts, eventTime: ctx.deps.clock.nowMs() });
    return ok();
  },
});
