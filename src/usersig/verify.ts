import { timingSafeEqual } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { decode } from './base64url.js';
import { hmac, type UserSigClaims } from './sign.js';

/** A UserSig document is a few hundred bytes; anything that inflates past this is not one. */
const MAX_INFLATED = 16 * 1024;

/** Why a UserSig was refused, as the Tencent error code the gateway answers with. */
export type UserSigFailure =
  | { readonly code: 70003; readonly reason: string }
  | { readonly code: 70014; readonly reason: string }
  | { readonly code: 70013; readonly reason: string }
  | { readonly code: 70001; readonly reason: string }
  | { readonly code: 70009; readonly reason: string };

export type VerifyResult = { readonly ok: true; readonly expiresAt: number } | ({ readonly ok: false } & UserSigFailure);

/** What the verifier checks the UserSig against. */
export interface VerifyInput {
  readonly sdkappid: number;
  readonly identifier: string;
  readonly secretKey: string;
  /** Current time, UNIX seconds. */
  readonly now: number;
}

/** A UNIX time for ErrorInfo; a crafted one may lie outside what Date can show. */
export function when(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} (UNIX seconds)` : date.toISOString();
}

function fail(code: UserSigFailure['code'], reason: string): VerifyResult {
  return { ok: false, code, reason };
}

/** Decodes a UserSig into its signed claims and signature; undefined when it is not one. */
export function parseUserSig(userSig: string): { claims: UserSigClaims; sig: Buffer } | undefined {
  const compressed = decode(userSig);
  if (compressed === undefined || compressed.length === 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(inflateSync(compressed, { maxOutputLength: MAX_INFLATED }).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  const identifier = d['TLS.identifier'];
  const sdkappid = d['TLS.sdkappid'];
  const time = d['TLS.time'];
  const expire = d['TLS.expire'];
  const sig = d['TLS.sig'];
  const userbuf = d['TLS.userbuf'];
  if (typeof identifier !== 'string' || typeof sig !== 'string') return undefined;
  if (!Number.isSafeInteger(sdkappid) || !Number.isSafeInteger(time) || !Number.isSafeInteger(expire)) return undefined;
  if (userbuf !== undefined && typeof userbuf !== 'string') return undefined;
  const claims: UserSigClaims = {
    identifier,
    sdkappid: sdkappid as number,
    time: time as number,
    expire: expire as number,
    ...(userbuf === undefined ? {} : { userbuf }),
  };
  return { claims, sig: Buffer.from(sig, 'base64') };
}

/**
 * Verifies a UserSig the way Tencent's own verifiers do, in their order: decodable, same
 * SDKAppID, same identifier, not expired, then the HMAC (compared in constant time).
 */
export function verifyUserSig(userSig: string, input: VerifyInput): VerifyResult {
  const parsed = parseUserSig(userSig);
  if (parsed === undefined) return fail(70003, 'the UserSig cannot be decoded; pass it exactly as generated');
  const { claims, sig } = parsed;
  if (claims.sdkappid !== input.sdkappid) {
    return fail(70014, `the UserSig was generated for SDKAppID ${claims.sdkappid}, not ${input.sdkappid}`);
  }
  if (claims.identifier !== input.identifier) {
    return fail(70013, 'the UserSig was generated for another identifier than the one in the URL');
  }
  const expiresAt = claims.time + claims.expire;
  if (input.now > expiresAt) return fail(70001, `the UserSig expired at ${when(expiresAt)}; generate a new one`);
  const expected = hmac(claims, input.secretKey);
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) {
    return fail(70009, 'the UserSig signature does not verify with this app\'s secret key');
  }
  return { ok: true, expiresAt };
}
