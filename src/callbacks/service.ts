import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { App } from '../apps.js';
import type { Clock } from '../deps.js';
import { normalizeMsgBody } from '../domain/elements.js';
import { MAX_MESSAGE_BYTES, messageBytes } from '../domain/message.js';
import { withoutContent } from '../store/rows.js';
import type { NewCallback } from '../store/types.js';
import type { Poster } from './http.js';
import { type CallbackCommand, type CallbackSettings, callbackSign } from './settings.js';

/** Tencent waits this long for a before-send callback, and so does parley (not adjustable there either). */
export const BEFORE_TIMEOUT_MS = 2000;

/** OptPlatform of every event a REST call caused (decisions.md §7). */
export const REST_PLATFORM = 'RESTAPI';

/** Whether `app` fires `command`: a callback URL is configured and the command is switched on. */
export function fires(app: App, command: CallbackCommand): boolean {
  return app.callback !== undefined && app.callback.commands.has(command);
}

/**
 * The URL of one callback: the configured URL with Tencent's query parameters, Sign and RequestTime
 * when a token is set, and (after-callbacks) parley's delivery id.
 */
export function callbackUrl(settings: CallbackSettings, sdkappid: number, command: string, clientIp: string, nowMs: number, deliveryId?: string): URL {
  const url = new URL(settings.url);
  const q = url.searchParams;
  q.set('SdkAppid', String(sdkappid));
  q.set('CallbackCommand', command);
  q.set('contenttype', 'json');
  q.set('ClientIP', clientIp);
  q.set('OptPlatform', REST_PLATFORM);
  if (settings.token !== undefined) {
    const requestTime = Math.floor(nowMs / 1000);
    q.set('Sign', callbackSign(settings.token, requestTime));
    q.set('RequestTime', String(requestTime));
  }
  if (deliveryId !== undefined) q.set(DELIVERY_ID_PARAM, deliveryId);
  return url;
}

/** Where an after-callback's delivery id travels: this query parameter and the header below. */
export const DELIVERY_ID_PARAM = 'ParleyDeliveryId';
/** The delivery id again, as a header. */
export const DELIVERY_ID_HEADER = 'x-parley-delivery-id';
/** Which attempt of the callback this is, from 1. */
export const ATTEMPT_HEADER = 'x-parley-attempt';

/** ClientIP in Tencent's form: an IPv4 peer is written without the IPv6 mapping prefix. */
export function clientIpOf(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** What the app server answered a before-send callback with, once the failure policy is applied. */
export type BeforeVerdict =
  | { readonly kind: 'allow' }
  /** Allowed, with the content replaced (MsgBody as checked JSON text). */
  | { readonly kind: 'rewrite'; readonly body: string; readonly cloudCustomData: string }
  /** `code`: the app server's ErrorCode (1, or its own), or undefined when the policy refused a failed call. */
  | { readonly kind: 'refuse'; readonly code: number | undefined; readonly info: string }
  /** ErrorCode 2: answer success, store and deliver nothing. */
  | { readonly kind: 'drop' };

/** The content a before-send callback is asked about. */
export interface AskedContent {
  readonly body: string;
  readonly cloudCustomData: string;
}

/** The callbacks an API handler uses; `Deps.callbacks`. */
export interface Callbacks {
  /** Asks `app`'s server before a send; resolves within 2 s, the failure policy applied. */
  before(app: App, command: CallbackCommand, clientIp: string, payload: Record<string, unknown>, asked: AskedContent): Promise<BeforeVerdict>;
  /** An outbox row for an after-callback (the handler returns it from the write's outbox hook). */
  row(app: App, command: CallbackCommand, clientIp: string, payload: Record<string, unknown>, subject?: string): NewCallback;
}

/**
 * The codes of its own an app server may refuse a message with: [120001, 130000] for one-to-one
 * messages (1047/34364), [10100, 10200] for group ones (1047/34374).
 */
const CUSTOM_REFUSALS: Readonly<Record<'C2C' | 'Group', readonly [number, number]>> = { C2C: [120001, 130000], Group: [10100, 10200] };

/** Reads a before-send answer; a string says why it cannot be used. */
export function readBeforeAnswer(status: number, text: string, asked: AskedContent, strict: boolean, kind: 'C2C' | 'Group'): BeforeVerdict | string {
  if (status < 200 || status > 299) return `HTTP ${status}`;
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return 'the answer is not JSON';
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return 'the answer is not a JSON object';
  const a = answer as Record<string, unknown>;
  const code = a['ErrorCode'];
  if (typeof code !== 'number' || !Number.isInteger(code)) return 'the answer has no integer ErrorCode';
  const info = typeof a['ErrorInfo'] === 'string' ? a['ErrorInfo'] : '';
  if (code === 2) return { kind: 'drop' };
  const [low, high] = CUSTOM_REFUSALS[kind];
  if (code === 1 || (code >= low && code <= high)) return { kind: 'refuse', code, info };
  if (code !== 0) return `ErrorCode ${code} is none of 0 (allow), 1 (refuse), 2 (drop) or a refusal code of ${low}-${high}`;
  const msgBody = a['MsgBody'];
  const cloudCustomData = a['CloudCustomData'];
  if (msgBody === undefined && cloudCustomData === undefined) return { kind: 'allow' };
  if (cloudCustomData !== undefined && typeof cloudCustomData !== 'string') return 'its CloudCustomData is not a string';
  let body = asked.body;
  if (msgBody !== undefined) {
    const problem = normalizeMsgBody(msgBody, strict);
    if (problem !== undefined) return `its MsgBody is not valid: ${problem.info}`;
    body = JSON.stringify(msgBody);
  }
  const data = cloudCustomData ?? asked.cloudCustomData;
  const size = messageBytes(body, data);
  if (size > MAX_MESSAGE_BYTES) return `its rewritten message is ${size} bytes, over ${MAX_MESSAGE_BYTES}`;
  return { kind: 'rewrite', body, cloudCustomData: data };
}

/**
 * Builds the callbacks service on a poster for before-send calls. Its rows are born claimed by this
 * process for `leaseMs`: the store hands them to the dispatcher once committed.
 */
export function createCallbacks(options: { poster: Poster; clock: Clock; logger: FastifyBaseLogger; strictFields: boolean; leaseMs: number }): Callbacks {
  const { poster, clock, logger } = options;
  return {
    async before(app, command, clientIp, payload, asked) {
      const settings = app.callback;
      if (settings === undefined) return { kind: 'allow' };
      const url = callbackUrl(settings, app.sdkappid, command, clientIp, clock.nowMs());
      const answer = await poster.post(url, JSON.stringify(payload), {}, BEFORE_TIMEOUT_MS);
      const verdict = answer.ok ? readBeforeAnswer(answer.status, answer.body, asked, options.strictFields, command.startsWith('Group.') ? 'Group' : 'C2C') : answer.error;
      if (typeof verdict !== 'string') return verdict;
      logger.warn({ sdkappid: app.sdkappid, command, reason: verdict, policy: settings.onFailure }, 'before-send callback failed; its failure policy decides');
      if (settings.onFailure === 'allow') return { kind: 'allow' };
      return { kind: 'refuse', code: undefined, info: `the app server could not be asked (${verdict}) and its failure policy refuses` };
    },
    row(app, command, clientIp, payload, subject) {
      const createdAt = clock.nowMs();
      const body = JSON.stringify(payload);
      return { app: app.sdkappid, deliveryId: randomUUID(), command, clientIp, body, createdAt, leasedUntil: createdAt + options.leaseMs, subject, storedBody: subject === undefined ? undefined : withoutContent(payload) };
    },
  };
}
