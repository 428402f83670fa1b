/**
 * Compares the shape of a response with a sample from Tencent's documentation: the same field set
 * at every level, the same nesting and the same JSON types. Values may differ. Message bodies are
 * compared as TIMMsgElement lists, whatever elements either side holds.
 */

/** A documented response field that a sample leaves out, with where it is documented. */
export interface Addition {
  /** Dotted path; `[]` steps into every item of a list: `GroupInfo[].InfoSeq`. */
  readonly path: string;
  readonly type: 'string' | 'number' | 'array';
  readonly why: string;
  readonly source: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return kind(value) === 'object';
}

/** Why `actual` does not have the shape of `expected`; empty when it does. */
export function shapeProblems(expected: unknown, actual: unknown, path = '(response)'): string[] {
  const want = kind(expected);
  const got = kind(actual);
  if (want !== got) return [`${path}: expected ${want}, got ${got}`];
  if (want === 'number' && Number.isInteger(expected) && !Number.isInteger(actual)) return [`${path}: expected an integer, got ${String(actual)}`];
  if (isRecord(expected) && isRecord(actual)) {
    const problems: string[] = [];
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) problems.push(`${path}.${key}: missing`);
      else if (key === 'MsgBody') problems.push(...msgBodyProblems(actual[key], `${path}.${key}`));
      else problems.push(...shapeProblems(expected[key], actual[key], `${path}.${key}`));
    }
    for (const key of Object.keys(actual)) if (!(key in expected)) problems.push(`${path}.${key}: not in Tencent's sample`);
    return problems;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) return listProblems(expected, actual, path);
  return [];
}

/** Every item must have the shape of some sample item; a sample list of objects must not come back empty. */
function listProblems(expected: unknown[], actual: unknown[], path: string): string[] {
  const first = expected[0];
  if (first === undefined) return [];
  if ((isRecord(first) || Array.isArray(first)) && actual.length === 0) return [`${path}: expected items like the sample's, got none (the test should make some)`];
  const problems: string[] = [];
  actual.forEach((item, i) => {
    const here = `${path}[${i}]`;
    if (!expected.some((e) => shapeProblems(e, item, here).length === 0)) problems.push(...shapeProblems(first, item, here));
  });
  return problems;
}

function msgBodyProblems(actual: unknown, path: string): string[] {
  if (!Array.isArray(actual) || actual.length === 0) return [`${path}: expected a non-empty list of TIMMsgElement`];
  return actual.flatMap((element, i) => {
    const here = `${path}[${i}]`;
    if (!isRecord(element)) return [`${here}: expected an object`];
    const keys = Object.keys(element).sort().join(',');
    if (keys !== 'MsgContent,MsgType' || typeof element['MsgType'] !== 'string' || !isRecord(element['MsgContent'])) {
      return [`${here}: expected {MsgType: string, MsgContent: object}, got keys ${keys}`];
    }
    return [];
  });
}

/** The sample response with the documented fields it leaves out put in, as placeholders of their type. */
export function withAdditions(response: unknown, additions: readonly Addition[] = []): unknown {
  const copy = structuredClone(response) as Json;
  for (const addition of additions) {
    const steps = addition.path.split('.');
    const placeholder: Json = addition.type === 'string' ? '' : addition.type === 'array' ? [] : 0;
    let targets: Json[] = [copy];
    for (const [i, step] of steps.entries()) {
      const list = step.endsWith('[]');
      const key = list ? step.slice(0, -2) : step;
      const last = i === steps.length - 1;
      const next: Json[] = [];
      for (const target of targets) {
        if (!isRecord(target)) throw new Error(`addition ${addition.path}: ${key} is not under an object`);
        if (last) target[key] = placeholder;
        else {
          const value = target[key];
          if (value === undefined) throw new Error(`addition ${addition.path}: the sample has no ${key}`);
          if (list) next.push(...(Array.isArray(value) ? value : []));
          else next.push(value);
        }
      }
      targets = next;
    }
  }
  return copy;
}
