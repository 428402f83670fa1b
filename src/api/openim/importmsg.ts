import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { MsgBody, normalizeMsgBody } from '../../domain/elements.js';
import { contentCrc, MAX_MESSAGE_BYTES, messageBytes } from '../../domain/message.js';
import { formatMsgKey } from '../../domain/msg-key.js';
import { isUserId, userIdProblem } from '../../domain/user-id.js';
import { defineApi, fail, ok } from '../define.js';
import { requestSchema, U32 } from '../request.js';
import { accountState, shown } from './c2c-common.js';

/**
 * SyncFromOldSystem: 2 imports history (not unread, not pushed); 5 imports a message of the
 * switch-over period in real time (unread, pushed). 1 is the older documents' name for the
 * real-time import and is read as 5.
 */
const SyncFromOldSystem = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(5)]);

export const ImportMsg = requestSchema({
  SyncFromOldSystem,
  From_Account: Type.String(),
  To_Account: Type.String(),
  MsgSeq: Type.Optional(U32),
  MsgRandom: U32,
  MsgTimeStamp: U32,
  MsgBody,
  CloudCustomData: Type.Optional(Type.String()),
});

/**
 * Imports a one-to-one message from another system with its own MsgTimeStamp (Tencent: "does not
 * trigger callbacks"). A message of the same conversation, in either direction, with the same
 * MsgSeq, MsgRandom and MsgTimeStamp is a duplicate whatever its content: the call succeeds and
 * the first import stays. Imported messages are read, modified, recalled and deleted like sent ones.
 */
export const importmsg = defineApi({
  service: 'openim',
  command: 'importmsg',
  request: ImportMsg,
  invalidCode: 90010,
  summary: 'Import a one-to-one message from another system (history, or real time during a switch-over).',
  codes: [90002, 90003, 90005, 90006, 90007, 90008, 90010, 90012, 90030],
  async handle(ctx, body) {
    const req = ImportMsg.read(body);
    if (!req.valid('SyncFromOldSystem')) return fail(90030, `${req.has('SyncFromOldSystem') ? 'SyncFromOldSystem must be 2 (history) or 5 (real time; 1 is read as 5)' : 'SyncFromOldSystem is required: 2 imports history, 5 imports in real time'}`);
    const from: unknown = body['From_Account'];
    if (!isUserId(from)) return fail(90008, userIdProblem('From_Account', from));
    if ((await accountState(ctx, from)) !== 'active') return fail(90008, `From_Account "${from}" is not imported (or was deleted); import it first`);
    const to: unknown = body['To_Account'];
    if (typeof to !== 'string') return fail(90003, 'To_Account is required and must be the receiver\'s UserID (a string)');
    if (!isUserId(to) || (await accountState(ctx, to)) !== 'active') return fail(90012, `To_Account ${shown(to)} is not imported (or was deleted); import it first`);
    if (!req.valid('MsgRandom')) return fail(90005, `${req.problem('MsgRandom')}; MsgRandom is an integer from 0 to 4294967295`);
    if (!req.valid('MsgTimeStamp')) return fail(90006, `${req.problem('MsgTimeStamp')}; MsgTimeStamp is the message's UNIX time in seconds`);
    const now = nowSeconds(ctx.deps.clock);
    const time = req.get('MsgTimeStamp');
    if (time > now) return fail(90006, `MsgTimeStamp ${time} is in the future (now is ${now}); import messages that were already sent`);
    const bodyProblem = normalizeMsgBody(req.has('MsgBody') ? req.get('MsgBody') : undefined, ctx.deps.config.strictFields);
    if (bodyProblem !== undefined) return fail(bodyProblem.code, bodyProblem.info);
    for (const field of ['MsgSeq', 'CloudCustomData'] as const) if (req.has(field) && !req.valid(field)) return fail(90010, req.problem(field));
    const msgBody = JSON.stringify(req.get('MsgBody'));
    const cloudCustomData = req.get('CloudCustomData') ?? '';
    const size = messageBytes(msgBody, cloudCustomData);
    if (size > MAX_MESSAGE_BYTES) return fail(90010, `the message is ${size} bytes (MsgBody JSON plus CloudCustomData); the limit is ${MAX_MESSAGE_BYTES}`);

    const realTime = req.get('SyncFromOldSystem') !== 2;
    const message = {
      from,
      to,
      seq: req.get('MsgSeq') ?? ctx.deps.ids.randomU32(),
      random: req.get('MsgRandom'),
      time,
      body: msgBody,
      cloudCustomData,
      crc: contentCrc({ body: msgBody, cloudCustomData }),
      countUnread: realTime,
    };
    const outcome = await ctx.deps.store.importC2C(ctx.app.sdkappid, message);
    if (outcome === 'sender_unknown') return fail(90008, `From_Account "${from}" is not imported (or was deleted)`);
    if (outcome === 'recipient_unknown') return fail(90012, `To_Account "${to}" is not imported (or was deleted)`);
    // A real-time import reaches the parties' devices as a new message; a history import does not.
    if (outcome === 'stored' && realTime) {
      const { seq, random } = message;
      ctx.deps.bus.publish({ type: 'c2c.sent', app: ctx.app.sdkappid, from, to, msgKey: formatMsgKey(message), seq, random, time, body: msgBody, cloudCustomData, senderSync: true, eventTime: ctx.deps.clock.nowMs() });
    }
    return ok();
  },
});
