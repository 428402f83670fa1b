// Store: SQLite only. The checkpointer's thread keeps the WAL short under writes that never pause,
// although the writer's own connection never checkpoints (checkpointer.ts).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Checkpointer } from '../src/store/sqlite/checkpointer.js';
import { DATABASE_FILE, openSqliteStore } from '../src/store/sqlite/index.js';
import { TEST_APP, tempDir } from './helpers.js';

const APP = TEST_APP.sdkappid;
/** Bytes of one WAL frame: a 24-byte header and a 4 KiB page. */
const FRAME_BYTES = 24 + 4096;

test('under writes that never pause, the thread checkpoints and restarts the WAL, and every acknowledged write is kept', async () => {
  const dir = tempDir('parley-checkpointer-');
  const restartFrames = 200;
  const store = openSqliteStore(dir, { checkpoint: { tickMs: 20, idleTickMs: 20, restartFrames } });
  const wal = join(dir, `${DATABASE_FILE}-wal`);
  let sent = 0;
  let largestWal = 0;
  try {
    await store.importAccounts(APP, [{ userId: 'a', nick: '', faceUrl: '' }, { userId: 'b', nick: '', faceUrl: '' }]);
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify([{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x'.repeat(200) } }]);
    const send = () => {
      const n = ++sent;
      return store.sendC2C(APP, { from: 'a', recipients: ['b'], seq: n, random: n, time: now, body, cloudCustomData: '', crc: n, senderSync: true, dedupSince: now - 300 });
    };
    // Fifty writes always queued: the write queue commits batch after batch with no quiet moment.
    const until = Date.now() + 2500;
    const sampler = setInterval(() => {
      if (existsSync(wal)) largestWal = Math.max(largestWal, statSync(wal).size);
    }, 10);
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (Date.now() < until) await send();
    }));
    clearInterval(sampler);
  } finally {
    await store.close();
  }
  const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM c2c_messages').pluck().get(), sent);
  } finally {
    db.close();
  }
  // Each send adds about a row of 250 bytes: the messages alone fill many times the WAL's bound.
  const writtenFrames = (sent * 250) / 4096;
  assert.ok(writtenFrames > restartFrames * 4, `only ${sent} sends; too few to tell`);
  // The bound is loose: the WAL grows for up to a tick past restartFrames before it restarts.
  assert.ok(largestWal < restartFrames * 10 * FRAME_BYTES, `the WAL reached ${largestWal} bytes (${Math.round(largestWal / FRAME_BYTES)} frames)`);
});

test('if the thread stops, the writer checkpoints for itself again and a scrub it was asked for is handed back', async () => {
  const dir = tempDir('parley-checkpointer-lost-');
  const file = join(dir, DATABASE_FILE);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // The thread opens the file by its name: with the name gone, it fails at once.
  rmSync(file);
  const lost = new Promise<boolean>((resolve) => {
    const checkpointer = new Checkpointer(db, resolve);
    checkpointer.requestScrub();
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0, 'the writer does not checkpoint while the thread runs');
  });
  const warned = once(process, 'warning');
  assert.equal(await lost, true, 'the scrub asked for is handed back');
  assert.match(String((await warned)[0]), /checkpointer thread stopped/);
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  db.close();
});
