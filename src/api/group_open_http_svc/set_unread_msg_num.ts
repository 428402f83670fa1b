import { Type } from '@sinclair/typebox';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { findGroup } from './group-common.js';

export const SetUnreadMsgNum = requestSchema({
  GroupId: Type.String(),
  Member_Account: Type.String(),
  UnreadMsgNum: U32,
});

/**
 * Sets a member's unread count, kept as its read position (get_group_info's member MsgSeq): the
 * group's last MsgSeq minus the count, which is capped at the group's message count. ChatRoom and
 * AVChatRoom groups count no unread messages: the call succeeds there and changes nothing
 * (Tencent's page). No callback, no notification.
 */
export const set_unread_msg_num = defineApi({
  service: 'group_open_http_svc',
  command: 'set_unread_msg_num',
  request: SetUnreadMsgNum,
  invalidCode: 10004,
  summary: "Set a member's unread message count in a group.",
  codes: [10004, 10010, 10015],
  async handle(ctx, body) {
    const req = SetUnreadMsgNum.read(body);
    const group = await findGroup(ctx, body['GroupId']);
    if (isFailure(group)) return group;
    const account: unknown = body['Member_Account'];
    if (!isUserId(account)) return fail(10004, userIdProblem('Member_Account', account));
    if (!req.valid('UnreadMsgNum')) return fail(10004, `${req.problem('UnreadMsgNum')}; UnreadMsgNum is a count from 0 to 4294967295`);
    if (group.type === 'ChatRoom' || group.type === 'Meeting' || group.type === 'AVChatRoom') return ok();
    const outcome = await ctx.deps.store.setUnreadMsgNum(ctx.app.sdkappid, group.groupId, account, req.get('UnreadMsgNum'));
    if (outcome === 'group_not_found') return fail(10010, `group "${group.groupId}" does not exist or has been destroyed`);
    if (outcome === 'not_member') return fail(10004, `Member_Account "${account}" is not a member of group "${group.groupId}"`);
    return ok();
  },
});
