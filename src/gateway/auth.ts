import type { App } from '../apps.js';
import { type UserSigFailure, verifyUserSig, when } from '../usersig/verify.js';

/** How many verified UserSigs are remembered; the oldest is forgotten first. */
const CACHE_SIZE = 10_000;

/**
 * Verifies UserSigs, remembering the ones that passed so the hot path does not inflate and HMAC
 * on every call. A remembered UserSig is still checked for identifier and expiry on every use.
 */
export function createAuthenticator(): (app: App, identifier: string, userSig: string, nowSeconds: number) => UserSigFailure | undefined {
  const verified = new Map<string, { identifier: string; expiresAt: number }>();
  return (app, identifier, userSig, now) => {
    const key = `${app.sdkappid}:${userSig}`;
    const known = verified.get(key);
    if (known !== undefined) {
      if (known.identifier !== identifier) return { code: 70013, reason: 'the UserSig was generated for another identifier than the one in the URL' };
      if (now > known.expiresAt) {
        verified.delete(key);
        return { code: 70001, reason: `the UserSig expired at ${when(known.expiresAt)}; generate a new one` };
      }
      return undefined;
    }
    const result = verifyUserSig(userSig, { sdkappid: app.sdkappid, identifier, secretKey: app.secretKey, now });
    if (!result.ok) return { code: result.code, reason: result.reason };
    if (verified.size >= CACHE_SIZE) {
      const oldest = verified.keys().next();
      if (oldest.done !== true) verified.delete(oldest.value);
    }
    verified.set(key, { identifier, expiresAt: result.expiresAt });
    return undefined;
  };
}
