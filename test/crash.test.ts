import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src/store/sqlite/index.js';
import { CRASH_TITLE, crashUnderLoad } from './crash-scenario.js';
import { tempDir } from './helpers.js';
import { startProcess } from './process.js';

test(`SQLite: ${CRASH_TITLE}`, async (t) => {
  const dataDir = tempDir('parley-crash-');
  await crashUnderLoad(t, {
    start: () => startProcess(dataDir),
    async integrity() {
      const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
      try {
        return db.pragma('integrity_check', { simple: true });
      } finally {
        db.close();
      }
    },
  });
});
