import type { TObject } from '@sinclair/typebox';
import type { App } from '../apps.js';
import type { Deps } from '../deps.js';
import type { ErrorCode } from '../errors.js';

/** Who is calling, for which app: what the gateway established before the handler runs. */
export interface ApiContext {
  readonly deps: Deps;
  readonly app: App;
  /** The admin identifier of the call. */
  readonly identifier: string;
  readonly requestId: string;
  /** The caller's address, as callbacks report it in ClientIP. */
  readonly clientIp: string;
  /** The Host header of the call and whether it came over HTTPS: URLs parley hands out (get_history) point back the way the caller came. */
  readonly host: string | undefined;
  readonly https: boolean;
}

/** A failed check: the code to answer with and an ErrorInfo a person can act on. */
export interface Failure<C extends ErrorCode> {
  readonly ok: false;
  readonly code: C;
  readonly info: string;
}

/** What a handler answers: success with the API's fields, or one of its declared error codes. */
export type Outcome<C extends ErrorCode> = { readonly ok: true; readonly fields?: Readonly<Record<string, unknown>> } | Failure<C>;

/** Whether a check's result is a failure rather than the value it checked. */
export function isFailure<C extends ErrorCode, T>(value: T | Failure<C>): value is Failure<C> {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** One Tencent command: its name, the error codes its handler may return, and the handler. */
export interface ApiDefinition<C extends ErrorCode = ErrorCode> {
  readonly service: string;
  readonly command: string;
  /** One line for the README and docs. */
  readonly summary: string;
  /** Every code the handler can answer with (gateway codes are added by the gateway). */
  readonly codes: readonly C[];
  /** The request body's schema: which fields exist (the gateway drops or, strictly, refuses others). */
  readonly request: { readonly schema: TObject };
  /** The API's invalid-parameter code, for a field it does not know under PARLEY_STRICT_FIELDS=1. */
  readonly invalidCode: C;
  /** ErrorInfo on success: "succeed" for the modify APIs (as in their seeds), "" elsewhere. */
  readonly successInfo?: string;
  /** Fields every answer of this API carries beside the envelope, failures too (the profile APIs' ErrorDisplay). */
  readonly envelopeFields?: Readonly<Record<string, unknown>>;
  handle(ctx: ApiContext, body: Readonly<Record<string, unknown>>): Promise<Outcome<C>>;
}

/** Declares an API; the handler may only return the codes it lists. */
export function defineApi<const C extends ErrorCode>(definition: ApiDefinition<C>): ApiDefinition<C> {
  return definition;
}

/** A successful outcome. */
export function ok(fields?: Readonly<Record<string, unknown>>): { readonly ok: true; readonly fields?: Readonly<Record<string, unknown>> } {
  return fields === undefined ? { ok: true } : { ok: true, fields };
}

/** A failed outcome with its code and an ErrorInfo a person can act on. */
export function fail<const C extends ErrorCode>(code: C, info: string): Failure<C> {
  return { ok: false, code, info };
}
