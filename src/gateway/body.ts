import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';

/** Bodies larger than this are refused before they are read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A `\uD800`–`\uDFFF` escape: the only way JSON text can smuggle in a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** A parsed body, or why it is not one. */
export type BodyResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly reason: string };

function wellFormed(value: unknown): boolean {
  // Iterative, so a deeply nested body cannot overflow the stack.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return false;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (!k.isWellFormed()) return false;
        stack.push(item);
      }
    }
  }
  return true;
}

/** Deletes every property whose value is null, at any depth: null for an optional field means absent. */
function dropNulls(value: object): void {
  const stack: object[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    for (const key of Object.keys(v)) {
      const item = v[key];
      if (item === null) delete v[key];
      else if (typeof item === 'object') stack.push(item as object);
    }
  }
}

/**
 * Decodes a request body: UTF-8, JSON, one object, no prototype keys, no lone surrogates. Properties
 * that are null are removed (decisions.md §2: many JSON mappers write null for a field left unset).
 */
export function parseBody(raw: Buffer | undefined): BodyResult {
  if (raw === undefined || raw.length === 0) return { ok: false, reason: 'the request body is empty; send a JSON object' };
  if (!isUtf8(raw)) return { ok: false, reason: 'the request body is not valid UTF-8' };
  const decoded = raw.toString('utf8');
  // A UTF-8 byte-order mark is allowed and ignored.
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = error instanceof SyntaxError ? error.message : 'it uses a __proto__ or constructor.prototype key, which is not allowed';
    return { ok: false, reason: `the request body is not valid JSON: ${message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'the request body must be a JSON object' };
  }
  if (SURROGATE_ESCAPE.test(text) && !wellFormed(value)) {
    return { ok: false, reason: 'the request body holds a string with an unpaired UTF-16 surrogate escape' };
  }
  if (text.includes('null')) dropNulls(value);
  return { ok: true, body: value as Record<string, unknown> };
}
