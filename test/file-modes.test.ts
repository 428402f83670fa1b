import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { APP_FILE } from '../src/apps.js';
import { DATABASE_FILE } from '../src/store/sqlite/index.js';
import { callApi, tempDir, text } from './helpers.js';
import { type ServerProcess, startProcess } from './process.js';

// The data directory holds every message and the secret key: it is the owner's alone (0700), and
// so are the files in it (0600): when parley creates them whatever the umask, and when they were
// left with looser modes.

const started: ServerProcess[] = [];
after(async () => {
  for (const p of started) await p.stop('SIGKILL');
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The modes of the data directory and of each file that exists in it. */
function modes(dataDir: string): Record<string, string> {
  const files = [APP_FILE, DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`];
  return Object.fromEntries([['.', mode(dataDir)], ...files.filter((f) => existsSync(join(dataDir, f))).map((f) => [f, mode(join(dataDir, f))])]);
}

const PRIVATE = { '.': '700', [APP_FILE]: '600', [DATABASE_FILE]: '600', [`${DATABASE_FILE}-wal`]: '600', [`${DATABASE_FILE}-shm`]: '600' };

/** Starts parley with `umask` in force (children inherit it), then writes and modifies through it. */
async function startAndWrite(dataDir: string, umask: number, round: number): Promise<ServerProcess> {
  const previous = process.umask(umask);
  let p: ServerProcess;
  try {
    p = await startProcess(dataDir);
  } finally {
    process.umask(previous);
  }
  started.push(p);
  const call = async (api: string, body: unknown) => {
    const r = await callApi(p.url, api, body);
    assert.equal(r.ErrorCode, 0, `${api}: ${r.ErrorInfo}`);
    return r;
  };
  await call('im_open_login_svc/multiaccount_import', { Accounts: ['a', 'b'] });
  const sent = await call('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: round, MsgBody: text('secret') });
  await call('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: sent['MsgKey'], MsgBody: text('gone') });
  return p;
}

test('a new data directory is 0700 and its files 0600, even under umask 000', async () => {
  const dataDir = join(tempDir('parley-modes-'), 'data');
  const p = await startAndWrite(dataDir, 0o000, 1);
  assert.deepEqual(modes(dataDir), PRIVATE);
  assert.deepEqual(await p.stop('SIGTERM'), { code: 0, signal: null });
});

test('files and a data directory left with looser modes are made private when parley opens them', async () => {
  const dataDir = join(tempDir('parley-modes-'), 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  // app.json as an operator might write it by hand: readable by everyone.
  writeFileSync(join(dataDir, APP_FILE), JSON.stringify({ sdkappid: 1400123456, secretKey: 'k'.repeat(64) }), { mode: 0o644 });
  chmodSync(join(dataDir, APP_FILE), 0o644);
  const first = await startAndWrite(dataDir, 0o022, 1);
  assert.deepEqual(modes(dataDir), PRIVATE);

  // A kill leaves the WAL and shared-memory files behind; loosen everything before the next start.
  assert.deepEqual(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  for (const f of [APP_FILE, DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) chmodSync(join(dataDir, f), 0o666);
  chmodSync(dataDir, 0o777);
  const second = await startAndWrite(dataDir, 0o000, 2);
  assert.deepEqual(modes(dataDir), PRIVATE);
  assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null });
  assert.deepEqual(modes(dataDir), { '.': '700', [APP_FILE]: '600', [DATABASE_FILE]: '600' }, 'the clean stop removed the WAL');
});
