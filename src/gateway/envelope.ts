import type { ErrorCode } from '../errors.js';

/** A Tencent response body: the envelope first, then the API's own fields. */
export type Envelope = { ActionStatus: 'OK' | 'FAIL'; ErrorCode: number; ErrorInfo: string } & Record<string, unknown>;

/** A success envelope. */
export function success(info: string, fields?: Readonly<Record<string, unknown>>): Envelope {
  return { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: info, ...fields };
}

/** A failure envelope. */
export function failure(code: ErrorCode, info: string): Envelope {
  return { ActionStatus: 'FAIL', ErrorCode: code, ErrorInfo: info };
}
