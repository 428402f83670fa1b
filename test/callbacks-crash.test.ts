import { test } from 'node:test';
import { CALLBACK_CRASH_TITLE, callbackCrash } from './callbacks-crash-scenario.js';
import { tempDir } from './helpers.js';
import { startProcess } from './process.js';

test(`SQLite: ${CALLBACK_CRASH_TITLE}`, async () => {
  const dataDir = tempDir('parley-callback-crash-');
  await callbackCrash((env) => startProcess(dataDir, { env }));
});
