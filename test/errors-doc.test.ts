import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { APIS } from '../src/api/registry.js';
import { ERRORS } from '../src/errors.js';
import { renderErrorsDoc } from '../src/errors-doc.js';

const docPath = new URL('../../docs/errors.md', import.meta.url);

test('docs/errors.md is exactly what the catalog and the API definitions produce (run `npm run docs`)', () => {
  assert.equal(readFileSync(docPath, 'utf8'), renderErrorsDoc(APIS));
});

test('every catalog code is listed in docs/errors.md with its meaning', () => {
  const doc = readFileSync(docPath, 'utf8');
  for (const [code, entry] of Object.entries(ERRORS)) {
    assert.ok(doc.includes(`| ${code} | ${entry.meaning} |`), `code ${code} is missing from docs/errors.md`);
  }
});

test('every code an API declares is in the catalog', () => {
  for (const api of APIS) for (const code of api.codes) assert.ok(code in ERRORS, `${api.command} declares ${code}`);
});
