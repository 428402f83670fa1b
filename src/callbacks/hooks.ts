/**
 * What the send, recall and modify handlers call: the before-send question and the after-callback
 * outbox hooks, each a no-op (undefined, no allocation) when the app does not fire the command.
 * The handlers decide the payloads (Tencent's shapes are API logic); the store commits the rows
 * with the write.
 */
import type { ApiContext, Failure } from '../api/define.js';
import { fail } from '../api/define.js';
import { formatMsgKey, type MsgKeyParts } from '../domain/msg-key.js';
import type { ErrorCode } from '../errors.js';
import type { GroupSendOutcome } from '../store/group-types.js';
import { c2cSubject, groupSubject } from '../store/rows.js';
import type { C2CSendOutcome, ModifyOutcome, NewCallback, Outbox, RecallOutcome } from '../store/types.js';
import { type C2CMessageFacts, c2cAfterModify, c2cAfterSend, c2cAfterWithdraw, c2cBeforeSend, type GroupMessageFacts, groupAfterModify, groupAfterRecall, groupAfterSend, groupBeforeSend } from './payloads.js';
import { type BeforeVerdict, fires } from './service.js';
import type { CallbackCommand } from './settings.js';

/** ForbidCallbackControl of sendmsg and send_group_msg. */
export type ForbidCallbackControl = readonly ('ForbidBeforeSendMsgCallback' | 'ForbidAfterSendMsgCallback')[] | undefined;

/** Whether the command fires for this call: configured for the app, and not forbidden by the request. */
function firesHere(ctx: ApiContext, command: CallbackCommand, forbid?: ForbidCallbackControl, forbidding?: 'ForbidBeforeSendMsgCallback' | 'ForbidAfterSendMsgCallback'): boolean {
  if (ctx.deps.callbacks === undefined || !fires(ctx.app, command)) return false;
  return forbid === undefined || forbidding === undefined || !forbid.includes(forbidding);
}

/** The callback's outbox row; `subject`: the message whose content it carries (rows.ts), if it does. */
function row(ctx: ApiContext, command: CallbackCommand, payload: Record<string, unknown>, subject?: string): NewCallback[] {
  return ctx.deps.callbacks === undefined ? [] : [ctx.deps.callbacks.row(ctx.app, command, ctx.clientIp, payload, subject)];
}

/** A refusal in words: the app server's own code and ErrorInfo when it gave them. */
function refusal(command: CallbackCommand, verdict: BeforeVerdict & { kind: 'refuse' }): string {
  if (verdict.code === undefined) return `the app server refused this message: ${verdict.info}`;
  const own = verdict.info === '' ? '' : `: ${verdict.info}`;
  return `the app server refused this message (its ${command} answered ErrorCode ${verdict.code}${own})`;
}

/** The content a send goes on with, 'drop' to answer success and keep nothing, or the refusal. */
export type BeforeOutcome<C extends ErrorCode> = { readonly body: string; readonly cloudCustomData: string } | 'drop' | Failure<C>;

async function ask<C extends 20006 | 10016>(ctx: ApiContext, command: CallbackCommand, code: C, payload: Record<string, unknown>, asked: { body: string; cloudCustomData: string }): Promise<BeforeOutcome<C>> {
  const callbacks = ctx.deps.callbacks;
  if (callbacks === undefined) return asked;
  const verdict = await callbacks.before(ctx.app, command, ctx.clientIp, payload, asked);
  switch (verdict.kind) {
    case 'allow':
      return asked;
    case 'rewrite':
      return { body: verdict.body, cloudCustomData: verdict.cloudCustomData };
    case 'drop':
      return 'drop';
    case 'refuse':
      return fail(code, refusal(command, verdict));
  }
}

/** The parts of a checked sendmsg the C2C callbacks describe. */
type C2CSendFacts = Omit<C2CMessageFacts, 'to' | 'onlineOnly'>;

/**
 * C2C.CallbackBeforeSendMsg for sendmsg (batchsendmsg fires no callbacks, as at Tencent). Answers
 * `m` itself when allowed as it is.
 */
export function beforeSendC2C<M extends C2CSendFacts>(ctx: ApiContext, forbid: ForbidCallbackControl, m: M, to: string, onlineOnly: boolean): BeforeOutcome<20006> | Promise<BeforeOutcome<20006>> {
  if (!firesHere(ctx, 'C2C.CallbackBeforeSendMsg', forbid, 'ForbidBeforeSendMsgCallback')) return m;
  return ask(ctx, 'C2C.CallbackBeforeSendMsg', 20006, c2cBeforeSend({ ...m, to, onlineOnly }), m);
}

/** C2C.CallbackAfterSendMsg once the copy for `to` is stored (or, never stored, delivered: see DELIVERED). */
export function afterSendC2C(ctx: ApiContext, forbid: ForbidCallbackControl, m: C2CSendFacts, to: string, onlineOnly: boolean): Outbox<C2CSendOutcome> | undefined {
  if (!firesHere(ctx, 'C2C.CallbackAfterSendMsg', forbid, 'ForbidAfterSendMsgCallback')) return undefined;
  const facts = { from: m.from, seq: m.seq, random: m.random, time: m.time, body: m.body, cloudCustomData: m.cloudCustomData, to, onlineOnly };
  return (outcome) =>
    outcome.kind === 'stored' && !outcome.failed.has(to)
      ? // A message never stored (DELIVERED) can be neither modified nor recalled: its callback keeps its content.
        row(ctx, 'C2C.CallbackAfterSendMsg', c2cAfterSend(facts), outcome === DELIVERED ? undefined : c2cSubject(m.from, to, m.seq, m.random, m.time))
      : [];
}

/** The outcome of a one-to-one message delivered to online users but never stored (MsgLifeTime 0). */
export const DELIVERED: C2CSendOutcome = Object.freeze({ kind: 'stored', failed: new Map() });

/** C2C.CallbackAfterMsgWithDraw once the recall is committed. */
export function afterWithdrawC2C(ctx: ApiContext, from: string, to: string, key: MsgKeyParts): Outbox<RecallOutcome> | undefined {
  if (!firesHere(ctx, 'C2C.CallbackAfterMsgWithDraw')) return undefined;
  return (outcome) => (outcome === 'ok' ? row(ctx, 'C2C.CallbackAfterMsgWithDraw', c2cAfterWithdraw({ from, to, msgKey: formatMsgKey(key), eventTime: ctx.deps.clock.nowMs() })) : []);
}

/** C2C.CallbackAfterModifyMsg with the content as the modification left it. */
export function afterModifyC2C(ctx: ApiContext, m: { from: string; to: string; seq: number; random: number; time: number }): Outbox<ModifyOutcome> | undefined {
  if (!firesHere(ctx, 'C2C.CallbackAfterModifyMsg')) return undefined;
  return (outcome) =>
    outcome.kind === 'ok'
      ? row(
          ctx,
          'C2C.CallbackAfterModifyMsg',
          c2cAfterModify({ ...m, body: outcome.body, cloudCustomData: outcome.cloudCustomData, operator: ctx.identifier, eventTime: ctx.deps.clock.nowMs() }),
          c2cSubject(m.from, m.to, m.seq, m.random, m.time),
        )
      : [];
}

/** Group.CallbackBeforeSendMsg for send_group_msg. */
export function beforeSendGroup(ctx: ApiContext, forbid: ForbidCallbackControl, m: Omit<GroupMessageFacts, 'operator' | 'eventTime'>): BeforeOutcome<10016> | Promise<BeforeOutcome<10016>> {
  if (!firesHere(ctx, 'Group.CallbackBeforeSendMsg', forbid, 'ForbidBeforeSendMsgCallback')) return m;
  return ask(ctx, 'Group.CallbackBeforeSendMsg', 10016, groupBeforeSend({ ...m, operator: ctx.identifier, eventTime: ctx.deps.clock.nowMs() }), m);
}

/** Group.CallbackAfterSendMsg once the message has its MsgSeq. */
export function afterSendGroup(ctx: ApiContext, forbid: ForbidCallbackControl, m: Omit<GroupMessageFacts, 'operator' | 'eventTime'> & { groupAtInfo: unknown }): Outbox<GroupSendOutcome> | undefined {
  if (!firesHere(ctx, 'Group.CallbackAfterSendMsg', forbid, 'ForbidAfterSendMsgCallback')) return undefined;
  return (outcome) =>
    outcome.kind === 'stored'
      ? row(
          ctx,
          'Group.CallbackAfterSendMsg',
          groupAfterSend({ ...m, seq: outcome.seq, time: outcome.time, operator: ctx.identifier, eventTime: ctx.deps.clock.nowMs() }),
          outcome.seq === 0 ? undefined : groupSubject(m.groupId, m.topicId, outcome.seq),
        )
      : [];
}

/** Group.CallbackAfterRecallMsg, one per recalled message (each recall is its own transaction). */
export function afterRecallGroup(ctx: ApiContext, groupId: string, type: string, topicId: string, seq: number): Outbox<'ok' | 'not_found' | 'recalled'> | undefined {
  if (!firesHere(ctx, 'Group.CallbackAfterRecallMsg')) return undefined;
  return (outcome) =>
    outcome === 'ok' ? row(ctx, 'Group.CallbackAfterRecallMsg', groupAfterRecall({ groupId, type, topicId, seqs: [seq], operator: ctx.identifier, eventTime: ctx.deps.clock.nowMs() })) : [];
}

/** Group.CallbackAfterModifyMsg with the body as the modification left it. */
export function afterModifyGroup(ctx: ApiContext, groupId: string, topicId: string, seq: number): Outbox<ModifyOutcome> | undefined {
  if (!firesHere(ctx, 'Group.CallbackAfterModifyMsg')) return undefined;
  return (outcome) =>
    outcome.kind === 'ok'
      ? row(ctx, 'Group.CallbackAfterModifyMsg', groupAfterModify({ groupId, topicId, seq, body: outcome.body, operator: ctx.identifier, eventTime: ctx.deps.clock.nowMs() }), groupSubject(groupId, topicId, seq))
      : [];
}

/** Queues the rows of a hook whose message was delivered but never stored (no write to commit them with). */
export async function enqueueUnstored<O>(ctx: ApiContext, hook: Outbox<O> | undefined, outcome: O): Promise<void> {
  if (hook === undefined) return;
  await ctx.deps.store.enqueueCallbacks(hook(outcome));
}
