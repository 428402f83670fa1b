import type { ApiDefinition } from './api/define.js';
import { ERRORS, type ErrorCode, type ErrorEntry, FAMILY_CODES, familyOf, GATEWAY_CODES } from './errors.js';

/** Every code an API can answer with: the gateway's, its family's, then its handler's own. */
export function codesOf(api: ApiDefinition): ErrorCode[] {
  const family = FAMILY_CODES[familyOf(api.service)];
  const codes: ErrorCode[] = [...GATEWAY_CODES.filter((c) => c !== 60009), family.notAdmin, family.badBody, ...api.codes, family.internal];
  return [...new Set(codes)];
}

function row(code: ErrorCode): string {
  const entry: ErrorEntry = ERRORS[code];
  return `| ${code} | ${entry.meaning} | ${entry.action} |`;
}

/** Renders docs/errors.md from the catalog and the API definitions. */
export function renderErrorsDoc(apis: readonly ApiDefinition[]): string {
  const all = (Object.keys(ERRORS).map(Number) as ErrorCode[]).sort((a, b) => a - b);
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from src/errors.ts and the API definitions by `npm run docs`; a test fails when it drifts. -->',
    '',
    'Every parley response is HTTP 200 with `ActionStatus`, `ErrorCode` and `ErrorInfo` (decisions.md §2).',
    '`ErrorCode` 0 is success. Any other code means the call changed nothing, and `ErrorInfo` says',
    'in words what to fix. Codes marked "per ..." come inside a list entry of a successful answer',
    '(`ErrorList`, `ResultItem`, `RecallRetList`, ...) and concern that entry alone. This page lists',
    'every code parley returns, then which codes each API returns.',
    '',
    '## All codes',
    '',
    '| Code | Meaning | What to do |',
    '|---|---|---|',
    ...all.map(row),
    '',
    '## Per API',
    '',
    'Gateway codes come first, in the order they are checked: method and query (60002, 60012, 60006,',
    '60004), UserSig (70003, 70014, 70013, 70001, 70009), admin (90009 or 60010), frequency',
    '(60007) and body (90001 or 60003). Then come the API\'s own codes, then the internal-error code.',
    'An unknown `{service}/{command}` answers 60009 before any of these.',
    '',
  ];
  for (const api of apis) {
    lines.push(`### v4/${api.service}/${api.command}`, '', api.summary, '', '| Code | Meaning | What to do |', '|---|---|---|');
    lines.push(...codesOf(api).map(row), '');
  }
  return lines.join('\n');
}
