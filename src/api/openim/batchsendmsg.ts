import { Type } from '@sinclair/typebox';
import { formatMsgId, formatMsgKey } from '../../domain/msg-key.js';
import { isUserId } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { checkSender, prepareSend, SEND_FIELDS } from './c2c-common.js';

/** At most this many recipients per call. */
export const MAX_RECIPIENTS = 500;

export const BatchSendMsg = requestSchema({ ...SEND_FIELDS, To_Account: Type.Array(Type.String(), { minItems: 1 }) });

/** ErrorList code of a recipient that is not imported (or was deleted), as Tencent answers it. */
const NOT_IMPORTED = 70107;

/**
 * Sends one message to up to 500 users; every copy has the same MsgKey and MsgId. Recipients that
 * cannot receive it are listed in ErrorList; the others get it.
 */
export const batchsendmsg = defineApi({
  service: 'openim',
  command: 'batchsendmsg',
  request: BatchSendMsg,
  invalidCode: 90010,
  summary: 'Send one one-to-one message to up to 500 users.',
  codes: [90002, 90003, 90005, 90007, 90008, 90010, 90011, 70107],
  async handle(ctx, body) {
    const req = BatchSendMsg.read(body);
    const from = await checkSender(ctx, req);
    if (isFailure(from)) return from;
    if (!req.valid('To_Account')) return fail(90003, `${req.problem('To_Account')}; To_Account is an array of 1 to ${MAX_RECIPIENTS} UserIDs`);
    const recipients = [...new Set(req.get('To_Account'))];
    if (recipients.length > MAX_RECIPIENTS) return fail(90011, `To_Account names ${recipients.length} users; at most ${MAX_RECIPIENTS} per call`);
    const prepared = prepareSend(ctx, req, from);
    if (isFailure(prepared)) return prepared;

    const errorList: { To_Account: string; ErrorCode: number }[] = [];
    const valid = recipients.filter((to) => {
      if (isUserId(to)) return true;
      errorList.push({ To_Account: to, ErrorCode: NOT_IMPORTED });
      return false;
    });
    if (!prepared.store) {
      // Delivered to online users only and never stored: the store does not check the recipients, so check here.
      const states = await ctx.deps.store.accountStates(ctx.app.sdkappid, valid);
      for (const to of valid) if (states.get(to) !== 'active') errorList.push({ To_Account: to, ErrorCode: NOT_IMPORTED });
    }
    let time = prepared.time;
    let fresh = true;
    if (prepared.store && valid.length > 0) {
      const outcome = await ctx.deps.store.sendC2C(ctx.app.sdkappid, { ...prepared, recipients: valid });
      if (outcome.kind === 'sender_unknown') return fail(90008, `From_Account "${from}" is not imported (or was deleted)`);
      if (outcome.kind === 'duplicate') {
        time = outcome.time;
        fresh = false;
      }
      else {
        for (const [to, why] of outcome.failed) errorList.push({ To_Account: to, ErrorCode: why === 'recipient_unknown' ? NOT_IMPORTED : 20001 });
      }
    }
    const msgKey = formatMsgKey({ seq: prepared.seq, random: prepared.random, time });
    if (fresh) {
      const failed = new Set(errorList.map((e) => e.To_Account));
      for (const to of valid) {
        if (failed.has(to)) continue;
        const { seq, random, body, cloudCustomData, senderSync } = prepared;
        ctx.deps.bus.publish({ type: 'c2c.sent', app: ctx.app.sdkappid, from, to, msgKey, seq, random, time, body, cloudCustomData, senderSync, eventTime: ctx.deps.clock.nowMs() });
      }
    }
    const MsgId = formatMsgId(from, time, prepared.random);
    return ok(errorList.length === 0 ? { MsgKey: msgKey, MsgId } : { MsgKey: msgKey, MsgId, ErrorList: errorList });
  },
});
