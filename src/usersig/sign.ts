import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { encode } from './base64url.js';

/** What a UserSig asserts: who, for which app, from when and for how long. */
export interface UserSigClaims {
  readonly sdkappid: number;
  readonly identifier: string;
  /** Issue time, UNIX seconds. */
  readonly time: number;
  /** Validity in seconds from `time`. */
  readonly expire: number;
  /** Optional user buffer, already base64 (standard alphabet) as it appears in the document. */
  readonly userbuf?: string;
}

/** The exact bytes TLSSigAPIv2 signs: one `TLS.name:value\n` line per claim, in this order. */
export function contentToSign(claims: UserSigClaims): string {
  let text =
    `TLS.identifier:${claims.identifier}\n` +
    `TLS.sdkappid:${claims.sdkappid}\n` +
    `TLS.time:${claims.time}\n` +
    `TLS.expire:${claims.expire}\n`;
  if (claims.userbuf !== undefined) text += `TLS.userbuf:${claims.userbuf}\n`;
  return text;
}

/** HMAC-SHA256 of the claims under the app's secret key. */
export function hmac(claims: UserSigClaims, secretKey: string): Buffer {
  return createHmac('sha256', secretKey).update(contentToSign(claims)).digest();
}

/** Produces a UserSig in Tencent's v2 format (what tls-sig-api-v2's genSig makes). */
export function signUserSig(claims: UserSigClaims, secretKey: string): string {
  const doc: Record<string, string | number> = {
    'TLS.ver': '2.0',
    'TLS.identifier': claims.identifier,
    'TLS.sdkappid': claims.sdkappid,
    'TLS.time': claims.time,
    'TLS.expire': claims.expire,
  };
  if (claims.userbuf !== undefined) doc['TLS.userbuf'] = claims.userbuf;
  doc['TLS.sig'] = hmac(claims, secretKey).toString('base64');
  return encode(deflateSync(Buffer.from(JSON.stringify(doc))));
}
