// Store: SQLite only. Acknowledged writes are durable: every answer to a write is sent only after
// the WAL holding that write was synced to disk. Observed from outside, in the system calls of a
// real parley process (strace), so it holds whatever the write path does inside.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkSyncOrder } from './fsync-order.js';
import { assertOk, callApi, tempDir, text } from './helpers.js';
import { startProcess } from './process.js';

const STRACE = spawnSync('strace', ['-V']).status === 0;
const NO_STRACE = 'strace is not installed (apt-get install strace); .ci/run installs it';

/** `count` calls of `once`, `width` at a time. */
async function concurrently(count: number, width: number, once: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await once(next++);
  }));
}

test('the checker finds an answer sent before its WAL write was synced', () => {
  const line = (pid: number, at: number, call: string, seconds: number) => `${pid}  ${at.toFixed(6)} ${call} <${seconds.toFixed(6)}>`;
  const wal = '19</d/parley.db-wal>';
  const answer = (at: number) => line(7, at, `writev(42<socket:[1]>, [{iov_base="HTTP/1.1 200 OK\\r\\n"...}], 1) = 300`, 0.00001);
  const written = line(7, 1.0, `pwrite64(${wal}, "..."..., 4096, 32) = 4096`, 0.00001);
  const synced = line(7, 1.1, `fsync(${wal}) = 0`, 0.0005);
  assert.deepEqual(checkSyncOrder([written, synced, answer(1.2)].join('\n')).early, []);
  assert.equal(checkSyncOrder([written, answer(1.05), synced].join('\n')).early.length, 1);
  // A sync that is still running when the answer goes out (another thread) does not count.
  const unfinished = `8  1.100000 fdatasync(${wal}) <unfinished ...>`;
  const resumed = '8  1.300000 <... fdatasync resumed>) = 0 <0.200000>';
  const order = checkSyncOrder([written, unfinished, answer(1.2), resumed, answer(1.4)].join('\n'));
  assert.deepEqual({ answers: order.answers, syncs: order.walSyncs, early: order.early.length }, { answers: 2, syncs: 1, early: 1 });
});

test('every answer to a write is sent after the WAL holding it was synced', { skip: STRACE ? false : NO_STRACE }, async () => {
  const dataDir = tempDir('parley-fsync-order-');
  const traceFile = join(dataDir, 'trace.txt');
  const calls = 'fsync,fdatasync,write,pwrite64,writev,pwritev,pwritev2,sendmsg,sendto';
  const server = await startProcess(join(dataDir, 'data'), { wrapper: ['strace', '-f', '-ttt', '-T', '-y', '-s', '64', '-e', `trace=${calls}`, '-o', traceFile] });
  try {
    assertOk(await callApi(server.url, 'im_open_login_svc/multiaccount_import', { Accounts: ['a', 'b'] }));
    const keys: string[] = [];
    await concurrently(150, 15, async (i) => {
      const r = await callApi(server.url, 'openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: i, MsgBody: text(`hello ${i}`) });
      assertOk(r);
      keys.push(String(r['MsgKey']));
    });
    await concurrently(150, 15, async (i) => {
      assertOk(await callApi(server.url, 'openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: keys[i], MsgBody: text(`edited ${i}`) }));
    });
    const group = await callApi(server.url, 'group_open_http_svc/create_group', { Owner_Account: 'a', Type: 'Public', Name: 'g', MemberList: [{ Member_Account: 'b' }] });
    assertOk(group);
    await concurrently(100, 10, async (i) => {
      assertOk(await callApi(server.url, 'group_open_http_svc/send_group_msg', { GroupId: group['GroupId'], From_Account: 'a', Random: i, MsgBody: text(`group ${i}`) }));
    });
    await concurrently(100, 10, async (i) => {
      assertOk(await callApi(server.url, 'openim/modify_group_msg', { GroupId: group['GroupId'], MsgSeq: i + 1, MsgBody: text(`edited ${i}`) }));
    });
  } finally {
    await server.stop('SIGTERM');
  }
  const order = checkSyncOrder(readFileSync(traceFile, 'utf8'));
  // The trace saw the work: every answer (and more: /healthz), WAL writes and their syncs.
  assert.ok(order.answers >= 503, `only ${order.answers} answers in the trace`);
  assert.ok(order.walSyncs > 0 && order.walWrites > order.walSyncs, `${order.walWrites} WAL writes, ${order.walSyncs} syncs`);
  assert.deepEqual(order.early, []);
});
