import { Type } from '@sinclair/typebox';
import { afterWithdrawC2C } from '../../callbacks/hooks.js';
import { parseMsgKey } from '../../domain/msg-key.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { accountKnown } from './c2c-common.js';

export const AdminMsgWithdraw = requestSchema({
  From_Account: Type.String(),
  To_Account: Type.String(),
  MsgKey: Type.String(),
});

/** Recalls a one-to-one message: it stays in history, flagged, but its content is destroyed. */
export const admin_msgwithdraw = defineApi({
  service: 'openim',
  command: 'admin_msgwithdraw',
  request: AdminMsgWithdraw,
  invalidCode: 20001,
  summary: 'Recall a one-to-one message.',
  codes: [20001, 20022, 20023, 90003, 90008, 90054],
  async handle(ctx, body) {
    const req = AdminMsgWithdraw.read(body);
    const from: unknown = body['From_Account'];
    if (!isUserId(from)) return fail(90008, userIdProblem('From_Account', from));
    if (!(await accountKnown(ctx, from))) return fail(90008, `From_Account "${from}" is not imported`);
    const to: unknown = body['To_Account'];
    if (!isUserId(to)) return fail(90003, userIdProblem('To_Account', to));
    if (!(await accountKnown(ctx, to))) return fail(90003, `To_Account "${to}" is not imported`);
    const key = parseMsgKey(body['MsgKey']);
    if (key === undefined) return fail(90054, 'MsgKey must be given exactly as sendmsg returned it: three u32 joined by "_"');

    const after = afterWithdrawC2C(ctx, from, to, key);
    const outcome = await ctx.deps.store.recallC2C(ctx.app.sdkappid, { from, to, ...key }, after);
    if (outcome === 'not_found') return fail(20022, `no message ${String(body['MsgKey'])} from "${from}" to "${to}"`);
    if (outcome === 'recalled') return fail(20023, 'the message has already been recalled');
    ctx.deps.bus.publish({ type: 'c2c.recalled', app: ctx.app.sdkappid, operator: ctx.identifier, from, to, msgKey: String(body['MsgKey']), ...key, eventTime: ctx.deps.clock.nowMs() });
    return ok();
  },
});
