import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { WriteQueue } from '../src/store/sqlite/write-queue.js';
import { tempDir } from './helpers.js';
import { storeContract } from './store-contract.js';

storeContract('SQLite', () => Promise.resolve(openSqliteStore(tempDir())));

test('group commit: writes queued together commit together; one that throws is rolled back alone', async () => {
  const db = new Database(join(tempDir(), 'q.db'));
  db.exec('CREATE TABLE t (v INTEGER)');
  const queue = new WriteQueue(db);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const results = await Promise.allSettled([
    queue.run(() => insert.run(1).changes),
    queue.run(() => {
      insert.run(2);
      throw new Error('boom');
    }),
    queue.run(() => insert.run(3).changes),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY v').pluck().all(), [1, 3]);
  queue.close();
  await assert.rejects(queue.run(() => 1), /closed/);
  db.close();
});

test('the schema refuses a database from a newer parley', async () => {
  const dir = tempDir();
  await openSqliteStore(dir).close();
  const db = new Database(join(dir, 'parley.db'));
  db.pragma('user_version = 999');
  db.close();
  assert.throws(() => openSqliteStore(dir), /newer than this parley/);
});
