import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a get_history download URL grants: one app's archive of one hour, as measured when the URL was made. */
export interface ArchiveTicket {
  readonly app: number;
  readonly chatType: ChatType;
  /** YYYYMMDDHH, Beijing time. */
  readonly hour: string;
  /** UNIX seconds after which the URL is refused. */
  readonly expires: number;
  /** The bytes of the gzip file the URL serves, and their MD5 (hex): a rebuilt file must match both. */
  readonly gzipSize: number;
  readonly gzipMd5: string;
}

export type ChatType = 'C2C' | 'Group';

/**
 * The signing key of an app's download URLs, derived from its secret key: every process serving
 * the app (any node on one PostgreSQL) derives the same key, and a URL never reveals the secret.
 */
function urlKey(secretKey: string): Buffer {
  return createHmac('sha256', secretKey).update('parley history archive URL v1').digest();
}

function sign(secretKey: string, payload: string): string {
  return createHmac('sha256', urlKey(secretKey)).update(payload).digest('base64url');
}

/** The URL-safe token of a ticket: its fields, dot-separated, then their HMAC-SHA256. */
export function signTicket(ticket: ArchiveTicket, secretKey: string): string {
  const payload = [ticket.app, ticket.chatType, ticket.hour, ticket.expires, ticket.gzipSize, ticket.gzipMd5].join('.');
  return `${payload}.${sign(secretKey, payload)}`;
}

const TOKEN = /^(\d{1,10})\.(C2C|Group)\.(\d{10})\.(\d{1,12})\.(\d{1,15})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/;

/**
 * The ticket a token grants, or undefined when it is malformed, names an app not served here, or
 * its signature does not verify (compared in constant time). Expiry is the caller's to check.
 */
export function readTicket(token: string, secretKeyOf: (app: number) => string | undefined): ArchiveTicket | undefined {
  const m = TOKEN.exec(token);
  if (m === null) return undefined;
  const app = Number(m[1]);
  const secretKey = secretKeyOf(app);
  if (secretKey === undefined) return undefined;
  const payload = token.slice(0, token.lastIndexOf('.'));
  const expected = Buffer.from(sign(secretKey, payload));
  const given = Buffer.from(m[7] ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { app, chatType: m[2] as ChatType, hour: m[3] ?? '', expires: Number(m[4]), gzipSize: Number(m[5]), gzipMd5: m[6] ?? '' };
}
