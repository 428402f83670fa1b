/**
 * The base64 variant of Tencent's UserSig: the standard alphabet with `+` → `*`, `/` → `-` and the
 * padding `=` → `_`, so that a UserSig travels in a URL without escaping.
 */

const STRICT = /^[A-Za-z0-9*-]+_{0,2}$/;

/** Encodes bytes in Tencent's URL-safe base64. */
export function encode(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

/** Decodes Tencent's URL-safe base64; undefined when the text is not in that alphabet. */
export function decode(text: string): Buffer | undefined {
  if (!STRICT.test(text)) return undefined;
  const standard = text.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
  return Buffer.from(standard, 'base64');
}
