import { normalizeMsgBody } from '../../domain/elements.js';
import { MAX_MESSAGE_BYTES, messageBytes } from '../../domain/message.js';
import { type Failure, fail } from '../define.js';

/** What a modification replaces: MsgBody (as JSON text) and/or CloudCustomData. */
export interface Patch {
  readonly body?: string;
  readonly cloudCustomData?: string;
}

/**
 * The content checks both modify APIs share (decisions.md §5 steps 4-5): something to modify, a
 * valid MsgBody, a string CloudCustomData, and new content within 12 KB on its own.
 */
export function readPatch(request: Readonly<Record<string, unknown>>, strict: boolean): Patch | Failure<20001 | 90002 | 90007 | 90010> {
  const msgBody = request['MsgBody'];
  const cloudCustomData = request['CloudCustomData'];
  if (msgBody === undefined && cloudCustomData === undefined) return fail(20001, 'nothing to modify: give MsgBody, CloudCustomData or both');
  const bodyProblem = msgBody === undefined ? undefined : normalizeMsgBody(msgBody, strict);
  if (bodyProblem !== undefined) return fail(bodyProblem.code, bodyProblem.info);
  if (cloudCustomData !== undefined && typeof cloudCustomData !== 'string') return fail(90010, 'CloudCustomData must be a string');
  const body = msgBody === undefined ? undefined : JSON.stringify(msgBody);
  const size = messageBytes(body, cloudCustomData);
  if (size > MAX_MESSAGE_BYTES) return fail(90010, `the new content is ${size} bytes; a message may be at most ${MAX_MESSAGE_BYTES}`);
  return { body, cloudCustomData };
}

/** The answer to a modification the store refused; `what` names the message for ErrorInfo. */
export function refusedModification(kind: 'not_found' | 'recalled' | 'too_large', what: string): Failure<20026 | 20023 | 90010> {
  switch (kind) {
    case 'not_found':
      return fail(20026, `no stored message ${what}`);
    case 'recalled':
      return fail(20023, 'the message was recalled; a recalled message cannot be modified');
    case 'too_large':
      return fail(90010, `after the modification the message would exceed ${MAX_MESSAGE_BYTES} bytes (MsgBody JSON plus CloudCustomData)`);
  }
}
