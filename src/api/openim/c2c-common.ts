import { type TProperties, Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { MsgBody, normalizeMsgBody } from '../../domain/elements.js';
import { C2C_DEDUP_SECONDS, contentCrc, MAX_MESSAGE_BYTES, messageBytes } from '../../domain/message.js';
import { isUserId, printable, userIdProblem } from '../../domain/user-id.js';
import type { AccountState, C2CSend } from '../../store/types.js';
import type { ApiContext } from '../define.js';
import { fail, type Failure } from '../define.js';
import { type RequestReader, U32 } from '../request.js';

/** The fields sendmsg and batchsendmsg share (To_Account is each one's own). */
export const SEND_FIELDS = {
  SyncOtherMachine: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
  From_Account: Type.Optional(Type.String()),
  MsgLifeTime: Type.Optional(U32),
  MsgSeq: Type.Optional(U32),
  MsgRandom: U32,
  MsgTimeStamp: Type.Optional(U32),
  OnlineOnlyFlag: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  ForbidCallbackControl: Type.Optional(Type.Array(Type.Union([Type.Literal('ForbidBeforeSendMsgCallback'), Type.Literal('ForbidAfterSendMsgCallback')]))),
  SendMsgControl: Type.Optional(Type.Array(Type.Union([Type.Literal('NoUnread'), Type.Literal('NoLastMsg'), Type.Literal('WithMuteNotifications')]))),
  MsgBody,
  CloudCustomData: Type.Optional(Type.String()),
  SupportMessageExtension: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  OfflinePushInfo: Type.Optional(Type.Object({})),
  IsNeedReadReceipt: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
} satisfies TProperties;

type SendFields = typeof SEND_FIELDS;

/** Optional fields whose only check is their schema (90010 when violated). */
const FORMAT_FIELDS = [
  'SyncOtherMachine',
  'MsgLifeTime',
  'MsgSeq',
  'MsgTimeStamp',
  'OnlineOnlyFlag',
  'ForbidCallbackControl',
  'SendMsgControl',
  'CloudCustomData',
  'SupportMessageExtension',
  'OfflinePushInfo',
  'IsNeedReadReceipt',
] as const;

/** Messages live offline at most this long (MsgLifeTime is clamped to it). */
export const MAX_LIFETIME_SECONDS = 604_800;

/** The state of one account. */
export function accountState(ctx: ApiContext, userId: string): Promise<AccountState> {
  return ctx.deps.store.accountState(ctx.app.sdkappid, userId);
}

/** Whether the account was ever imported (deleted ones too): what reading and editing history need. */
export function accountKnown(ctx: ApiContext, userId: string): Promise<boolean> {
  return ctx.deps.store.accountKnown(ctx.app.sdkappid, userId);
}

/** The sender: From_Account if given (it must be active), else the calling admin. */
export async function checkSender(ctx: ApiContext, req: RequestReader<SendFields>): Promise<Failure<90008> | string> {
  if (!req.has('From_Account')) return ctx.identifier;
  const from: unknown = req.get('From_Account');
  if (!isUserId(from)) return fail(90008, userIdProblem('From_Account', from));
  if ((await accountState(ctx, from)) !== 'active') return fail(90008, `From_Account "${from}" is not imported (or was deleted); import it first`);
  return from;
}

/** A send that passed every check, ready for the store (recipients still to be filled in). */
export interface PreparedSend extends Omit<C2CSend, 'recipients'> {
  /** False when MsgLifeTime is 0: the message is delivered to online users only, never stored. */
  readonly store: boolean;
}

/** Checks the message fields, in Tencent's order after the accounts, and prepares the send. */
export function prepareSend(ctx: ApiContext, req: RequestReader<SendFields>, from: string): Failure<90005 | 90007 | 90002 | 90010> | PreparedSend {
  if (!req.valid('MsgRandom')) return fail(90005, `${req.problem('MsgRandom')}; MsgRandom is a random integer from 0 to 4294967295`);
  const bodyProblem = normalizeMsgBody(req.has('MsgBody') ? req.get('MsgBody') : undefined, ctx.deps.config.strictFields);
  if (bodyProblem !== undefined) return fail(bodyProblem.code, bodyProblem.info);
  for (const field of FORMAT_FIELDS) {
    if (req.has(field) && !req.valid(field)) return fail(90010, req.problem(field));
  }
  const body = JSON.stringify(req.get('MsgBody'));
  const cloudCustomData = req.has('CloudCustomData') ? req.get('CloudCustomData') ?? '' : '';
  const size = messageBytes(body, cloudCustomData);
  if (size > MAX_MESSAGE_BYTES) {
    return fail(90010, `the message is ${size} bytes (MsgBody JSON plus CloudCustomData); the limit is ${MAX_MESSAGE_BYTES}`);
  }
  const time = nowSeconds(ctx.deps.clock);
  return {
    from,
    seq: req.has('MsgSeq') ? req.get('MsgSeq') ?? 0 : ctx.deps.ids.randomU32(),
    random: req.get('MsgRandom'),
    time,
    body,
    cloudCustomData,
    crc: contentCrc({ body, cloudCustomData }),
    senderSync: req.get('SyncOtherMachine') !== 2,
    dedupSince: time - C2C_DEDUP_SECONDS,
    store: req.get('MsgLifeTime') !== 0,
    countUnread: !(req.get('SendMsgControl') ?? []).includes('NoUnread'),
  };
}

/** Renders a UserID from input for ErrorInfo. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? `"${printable(value)}"` : typeof value;
}
