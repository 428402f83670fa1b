import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Addition } from './shape.js';

/** One request form of a Tencent page with the response the page gives for it. */
export interface Sample {
  readonly name: string;
  /** The page the sample was read from. */
  readonly source: string;
  readonly request: Record<string, unknown>;
  readonly response: Record<string, unknown>;
  /** Documented response fields the sample leaves out. */
  readonly additions?: readonly Addition[];
}

/** The samples of one API, from Tencent's Chinese and international pages. */
export interface Fixture {
  /** `{service}/{command}`. */
  readonly api: string;
  /** A page is null when the corpus held none for the API (the notes say so). */
  readonly pages: { readonly zh: string | null; readonly intl: string | null };
  readonly samples: readonly Sample[];
  readonly notes: string;
}

/** The fixtures folder in the source tree (tests run from dist/). */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../test/conformance/fixtures', import.meta.url));

/** Every fixture, keyed by API. */
export function loadFixtures(): Map<string, Fixture> {
  const fixtures = new Map<string, Fixture>();
  for (const service of readdirSync(FIXTURE_DIR)) {
    // Callback payloads (not APIs) have fixtures of their own shape there: test/callbacks.test.ts reads them.
    if (service === 'callbacks') continue;
    for (const file of readdirSync(join(FIXTURE_DIR, service))) {
      if (!file.endsWith('.json')) continue;
      const fixture = JSON.parse(readFileSync(join(FIXTURE_DIR, service, file), 'utf8')) as Fixture;
      fixtures.set(fixture.api, fixture);
    }
  }
  return fixtures;
}

/**
 * Puts real ids where a sample has its own, at any depth: a string equal to a key of `ids` becomes
 * its value, and one that starts with a key ending in `*` has that prefix replaced (topic ids).
 */
export function substitute<T>(value: T, ids: ReadonlyMap<string, unknown>): T {
  const prefixes = [...ids].filter(([k]) => k.endsWith('*')).map(([k, v]) => [k.slice(0, -1), String(v)] as const);
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (ids.has(v)) return ids.get(v);
      const prefix = prefixes.find(([p]) => v.startsWith(p));
      return prefix === undefined ? v : `${prefix[1]}${v.slice(prefix[0].length)}`;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, visit(item)]));
    return v;
  };
  return visit(value) as T;
}

/** The UserIDs a sample request names (fields ending in _Account, UserID, Identifier, Accounts and list items of them). */
export function namedAccounts(request: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown, key: string): void => {
    const accountKey = key.endsWith('_Account') || key === 'UserID' || key === 'Identifier' || key === 'Accounts';
    if (typeof v === 'string' && accountKey) found.add(v);
    else if (Array.isArray(v)) v.forEach((item) => visit(item, key));
    else if (typeof v === 'object' && v !== null) for (const [k, item] of Object.entries(v)) visit(item, k);
  };
  visit(request, '');
  return [...found];
}
