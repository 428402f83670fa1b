import { Type } from '@sinclair/typebox';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { findGroup } from './group-common.js';

/** Tencent recalls the sender's messages among this many of the group's newest. */
export const DELETE_WINDOW = 1000;

export const DeleteGroupMsgBySender = requestSchema({
  GroupId: Type.String(),
  Sender_Account: Type.String(),
});

/**
 * Recalls every message `Sender_Account` sent among the group's newest 1,000 (and each of its
 * topics' newest 1,000), destroying their content as group_msg_recall does. Silent, as Tencent's
 * page says: no event and no callback; group_msg_get_simple shows them as recalled (IsPlaceMsg 2,
 * with WithRecalledMsg 1). An AVChatRoom keeps no history: the call succeeds and does nothing.
 */
export const delete_group_msg_by_sender = defineApi({
  service: 'group_open_http_svc',
  command: 'delete_group_msg_by_sender',
  request: DeleteGroupMsgBySender,
  invalidCode: 10004,
  summary: "Recall (silently) a sender's messages among a group's newest 1,000.",
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    const sender: unknown = body['Sender_Account'];
    if (!isUserId(sender)) return fail(10004, userIdProblem('Sender_Account', sender));
    if (group.type === 'AVChatRoom') return ok();
    if (!(await ctx.deps.store.accountKnown(ctx.app.sdkappid, sender))) return fail(10004, `Sender_Account "${sender}" was never imported, so it has sent nothing`);
    const deleted = await ctx.deps.store.deleteGroupMessagesBySender(ctx.app.sdkappid, group.groupId, sender, DELETE_WINDOW);
    if (deleted === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    return ok();
  },
});
