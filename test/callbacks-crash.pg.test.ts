import { test } from 'node:test';
import { CALLBACK_CRASH_TITLE, callbackCrash } from './callbacks-crash-scenario.js';
import { tempDir } from './helpers.js';
import { createSchema, dropSchema, schemaUrl, testSchema } from './pg.js';
import { startProcess } from './process.js';

test(`PostgreSQL: ${CALLBACK_CRASH_TITLE}`, async (t) => {
  const schema = testSchema();
  await createSchema(schema);
  t.after(() => dropSchema(schema));
  const dataDir = tempDir('parley-callback-crash-pg-');
  await callbackCrash((env) => startProcess(dataDir, { env: { ...env, PARLEY_DATABASE_URL: schemaUrl(schema) } }));
});
