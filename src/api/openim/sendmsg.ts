import { Type } from '@sinclair/typebox';
import { afterSendC2C, beforeSendC2C, DELIVERED, enqueueUnstored } from '../../callbacks/hooks.js';
import { formatMsgId, formatMsgKey } from '../../domain/msg-key.js';
import { isUserId } from '../../domain/user-id.js';
import { defineApi, fail, isFailure, ok } from '../define.js';
import { requestSchema } from '../request.js';
import { accountState, checkSender, prepareSend, SEND_FIELDS, shown } from './c2c-common.js';

export const SendMsg = requestSchema({ ...SEND_FIELDS, To_Account: Type.String() });

/** Sends a one-to-one message, as the admin or as From_Account; answers its MsgTime, MsgKey and MsgId. */
export const sendmsg = defineApi({
  service: 'openim',
  command: 'sendmsg',
  request: SendMsg,
  invalidCode: 90010,
  summary: 'Send a one-to-one message.',
  codes: [20001, 20006, 90002, 90003, 90005, 90007, 90008, 90010, 90012],
  async handle(ctx, body) {
    const req = SendMsg.read(body);
    const from = await checkSender(ctx, req);
    if (isFailure(from)) return from;
    if (!req.valid('To_Account')) return fail(90003, `${req.problem('To_Account')}; To_Account is the receiver's UserID`);
    const to = req.get('To_Account');
    if (!isUserId(to) || (await accountState(ctx, to)) !== 'active') return fail(90012, `To_Account ${shown(to)} is not imported (or was deleted); import it first`);
    let prepared = prepareSend(ctx, req, from);
    if (isFailure(prepared)) return prepared;
    // Third-party callbacks (callbacks/hooks.ts): the app server may refuse, drop or rewrite the message.
    const forbid = req.get('ForbidCallbackControl');
    const onlineOnly = req.get('OnlineOnlyFlag') === 1;
    const asked = await beforeSendC2C(ctx, forbid, prepared, to, onlineOnly);
    if (isFailure(asked)) return asked;
    if (asked === 'drop') return ok({ MsgTime: prepared.time, MsgKey: formatMsgKey(prepared), MsgId: formatMsgId(from, prepared.time, prepared.random) });
    if (asked !== prepared) prepared = { ...prepared, body: asked.body, cloudCustomData: asked.cloudCustomData };
    const after = afterSendC2C(ctx, forbid, prepared, to, onlineOnly);

    let time = prepared.time;
    let fresh = true;
    if (!prepared.store) await enqueueUnstored(ctx, after, DELIVERED);
    if (prepared.store) {
      const outcome = await ctx.deps.store.sendC2C(ctx.app.sdkappid, { ...prepared, recipients: [to] }, after);
      if (outcome.kind === 'sender_unknown') return fail(90008, `From_Account "${from}" is not imported (or was deleted)`);
      if (outcome.kind === 'duplicate') {
        time = outcome.time;
        fresh = false;
      }
      else {
        const failed = outcome.failed.get(to);
        if (failed === 'recipient_unknown') return fail(90012, `To_Account "${to}" is not imported (or was deleted)`);
        if (failed === 'key_taken') return fail(20001, 'another message with this MsgSeq and MsgRandom was sent to this receiver in the same second; use a new MsgRandom');
      }
    }
    const msgKey = formatMsgKey({ seq: prepared.seq, random: prepared.random, time });
    if (fresh) {
      const { seq, random, body, cloudCustomData, senderSync } = prepared;
      ctx.deps.bus.publish({ type: 'c2c.sent', app: ctx.app.sdkappid, from, to, msgKey, seq, random, time, body, cloudCustomData, senderSync, eventTime: ctx.deps.clock.nowMs() });
    }
    return ok({ MsgTime: time, MsgKey: msgKey, MsgId: formatMsgId(from, time, prepared.random) });
  },
});
