import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { accountKnown } from './c2c-common.js';

export const AdminSetMsgRead = requestSchema({
  Report_Account: Type.String(),
  Peer_Account: Type.String(),
  // Tencent documents a String of seconds; an integer is read the same.
  MsgReadTime: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,10}$' }), U32])),
});

/**
 * Marks every message Peer_Account sent to Report_Account up to MsgReadTime (default now) read:
 * they no longer count as unread, and history shows them with IsPeerRead 1. Read state never moves
 * back: an earlier MsgReadTime than the last one changes nothing.
 */
export const admin_set_msg_read = defineApi({
  service: 'openim',
  command: 'admin_set_msg_read',
  request: AdminSetMsgRead,
  invalidCode: 20001,
  summary: 'Mark a user\'s one-to-one messages from a peer read, up to a time.',
  codes: [20001, 90003, 90008],
  async handle(ctx, body) {
    const req = AdminSetMsgRead.read(body);
    const user: unknown = body['Report_Account'];
    if (!isUserId(user)) return fail(90008, userIdProblem('Report_Account', user));
    if (!(await accountKnown(ctx, user))) return fail(90008, `Report_Account "${user}" is not imported`);
    const peer: unknown = body['Peer_Account'];
    if (!isUserId(peer)) return fail(90003, userIdProblem('Peer_Account', peer));
    if (!(await accountKnown(ctx, peer))) return fail(90003, `Peer_Account "${peer}" is not imported`);
    let readTime = nowSeconds(ctx.deps.clock);
    if (req.has('MsgReadTime')) {
      const given = Number(req.valid('MsgReadTime') ? req.get('MsgReadTime') : NaN);
      if (!(given <= 0xffffffff)) return fail(20001, 'MsgReadTime must be a UNIX time in seconds (a string or an integer from 0 to 4294967295)');
      readTime = given;
    }
    await ctx.deps.store.setC2CRead(ctx.app.sdkappid, user, peer, readTime);
    return ok();
  },
});
