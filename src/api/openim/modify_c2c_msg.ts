import { Type } from '@sinclair/typebox';
import { afterModifyC2C } from '../../callbacks/hooks.js';
import { MsgBody } from '../../domain/elements.js';
import { MAX_MESSAGE_BYTES } from '../../domain/message.js';
import { formatMsgKey, parseMsgKey } from '../../domain/msg-key.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { readPatch, refusedModification } from './modify-common.js';
import { accountKnown } from './c2c-common.js';

export const ModifyC2CMsg = requestSchema({
  From_Account: Type.String(),
  To_Account: Type.String(),
  MsgKey: Type.String(),
  MsgBody: Type.Optional(MsgBody),
  CloudCustomData: Type.Optional(Type.String()),
});

/**
 * Overwrites MsgBody and/or CloudCustomData of a stored one-to-one message (seed
 * modify_c2c_msg.md, decisions.md §5: checks in that order). The old content is destroyed.
 */
export const modify_c2c_msg = defineApi({
  service: 'openim',
  command: 'modify_c2c_msg',
  request: ModifyC2CMsg,
  invalidCode: 20001,
  summary: 'Modify the MsgBody and/or CloudCustomData of a one-to-one message.',
  codes: [20001, 20003, 20023, 20026, 90002, 90003, 90007, 90010, 90012],
  successInfo: 'succeed',
  async handle(ctx, body) {
    const req = ModifyC2CMsg.read(body);
    const from: unknown = body['From_Account'];
    if (typeof from !== 'string') return fail(20001, 'From_Account is required and must be the sender\'s UserID (a string)');
    if (!isUserId(from) || !(await accountKnown(ctx, from))) return fail(20003, `From_Account ${isUserId(from) ? `"${from}" is not imported` : userIdProblem('From_Account', from)}`);
    const to: unknown = body['To_Account'];
    if (typeof to !== 'string') return fail(90003, 'To_Account is required and must be the receiver\'s UserID (a string)');
    if (!isUserId(to) || !(await accountKnown(ctx, to))) return fail(90012, `To_Account ${isUserId(to) ? `"${to}" is not imported` : userIdProblem('To_Account', to)}`);
    const key = parseMsgKey(body['MsgKey']);
    if (key === undefined) return fail(20001, 'MsgKey is required: three u32 joined by "_", as sendmsg or admin_getroammsg returned it');
    const patch = readPatch(body, ctx.deps.config.strictFields);
    if (isFailure(patch)) return patch;

    const ref = { from, to, ...key };
    const after = afterModifyC2C(ctx, ref);
    const outcome = await ctx.deps.store.modifyC2C(ctx.app.sdkappid, ref, { ...patch, maxSize: MAX_MESSAGE_BYTES }, after);
    if (outcome.kind !== 'ok') return refusedModification(outcome.kind, `${formatMsgKey(key)} from "${from}" to "${to}"`);
    ctx.deps.bus.publish({
      type: 'c2c.modified',
      app: ctx.app.sdkappid,
      operator: ctx.identifier,
      from,
      to,
      msgKey: formatMsgKey(key),
      seq: key.seq,
      random: key.random,
      time: key.time,
      body: outcome.body,
      cloudCustomData: outcome.cloudCustomData,
      eventTime: ctx.deps.clock.nowMs(),
    });
    return ok();
  },
});
