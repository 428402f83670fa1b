import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { callApi, type Reply, tempDir, text } from './helpers.js';
import { createSchema, dropSchema, schemaUrl, testSchema } from './pg.js';
import { type ServerProcess, startProcess } from './process.js';

// Acceptance of the scale-out issue: two parley processes (two nodes, as behind a load balancer)
// on one PostgreSQL and one Redis, over real HTTP on loopback.

const nodes: ServerProcess[] = [];
const schema = testSchema();
after(async () => {
  for (const p of nodes) await p.stop('SIGKILL');
  await dropSchema(schema);
});

async function ok(url: string, api: string, body: unknown): Promise<Reply> {
  const r = await callApi(url, api, body);
  assert.equal(r.ErrorCode, 0, `${api}: ${r.ErrorCode} ${r.ErrorInfo}`);
  return r;
}

test('two nodes on one PostgreSQL and one Redis: gapless MsgSeq, modifications seen by both, one frequency limit', async (t) => {
  await createSchema(schema);
  const redisUrl = process.env['PARLEY_TEST_REDIS_URL'] ?? '';
  const env = {
    PARLEY_DATABASE_URL: schemaUrl(schema),
    PARLEY_REDIS_URL: redisUrl,
    PARLEY_REDIS_PREFIX: `parley-test-${process.pid}-${randomBytes(4).toString('hex')}`,
    PARLEY_RATE_LIMIT: '200',
  };
  // Each node has a data directory of its own, as on separate machines: they share nothing but the services.
  for (let i = 0; i < 2; i++) nodes.push(await startProcess(tempDir('parley-node-'), { env }));
  const [a, b] = nodes.map((n) => n.url) as [string, string];

  await ok(a, 'im_open_login_svc/multiaccount_import', { Accounts: ['n1', 'n2'] });
  const groupId = String((await ok(b, 'group_open_http_svc/create_group', { Type: 'Public', Name: 'nodes', Owner_Account: 'n1', MemberList: [{ Member_Account: 'n2' }] }))['GroupId']);

  // Concurrent sends through both nodes, under the limit (180 of 200 a second).
  const SENDS = 180;
  let next = 0;
  const seqs: number[] = [];
  await Promise.all(
    Array.from({ length: 30 }, async (_, worker) => {
      while (next < SENDS) {
        const r = ++next;
        const reply = await ok(worker % 2 === 0 ? a : b, 'group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: r % 2 === 0 ? 'n1' : 'n2', Random: r, MsgBody: text(`m${r}`) });
        seqs.push(reply['MsgSeq'] as number);
      }
    }),
  );
  assert.deepEqual(
    seqs.sort((x, y) => x - y),
    Array.from({ length: SENDS }, (_, i) => i + 1),
    'MsgSeq 1..N, no gap, no repeat',
  );

  // A modification through one node is read through the other, both ways.
  await ok(a, 'openim/modify_group_msg', { GroupId: groupId, MsgSeq: 7, MsgBody: text('edited on a') });
  const read = await ok(b, 'group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgSeq: 7, ReqMsgNumber: 1 });
  assert.deepEqual((read['RspMsgList'] as { MsgBody: unknown }[])[0]?.MsgBody, text('edited on a'));
  const sent = await ok(b, 'openim/sendmsg', { From_Account: 'n1', To_Account: 'n2', MsgRandom: 1, MsgBody: text('before') });
  await ok(b, 'openim/modify_c2c_msg', { From_Account: 'n1', To_Account: 'n2', MsgKey: sent['MsgKey'], MsgBody: text('edited on b') });
  const roam = await ok(a, 'openim/admin_getroammsg', { Operator_Account: 'n2', Peer_Account: 'n1', MaxCnt: 10, MinTime: 0, MaxTime: 4_000_000_000 });
  assert.deepEqual((roam['MsgList'] as { MsgBody: unknown }[]).map((m) => m.MsgBody), [text('edited on b')]);
  // An account deleted through one node is refused through the other at once.
  await ok(a, 'im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'n2' }] });
  assert.equal((await callApi(b, 'openim/sendmsg', { From_Account: 'n1', To_Account: 'n2', MsgRandom: 2, MsgBody: text('x') })).ErrorCode, 90012);

  // A burst of 600 calls of one API split across both nodes: one limit of 200 a second for both.
  const began = Date.now();
  const codes = await Promise.all(
    Array.from({ length: 600 }, (_, i) => callApi(i % 2 === 0 ? a : b, 'im_open_login_svc/account_check', { CheckItem: [{ UserID: 'n1' }] }).then((r) => r.ErrorCode)),
  );
  const ms = Date.now() - began;
  const allowed = codes.filter((c) => c === 0).length;
  const refused = codes.filter((c) => c === 60007).length;
  t.diagnostic(`burst of 600 across two nodes in ${ms} ms: ${allowed} allowed, ${refused} refused with 60007`);
  assert.equal(allowed + refused, 600, `other codes: ${[...new Set(codes)].join(', ')}`);
  // A burst that outlasted a second (a loaded machine) met a window that had rolled on: 200 a second.
  const windows = Math.max(1, Math.ceil(ms / 1000));
  assert.ok(allowed >= 190 && allowed <= 200 * windows + 10, `${allowed} allowed in ${ms} ms; 200 ± 10 a second expected`);

  for (const n of nodes.splice(0)) assert.deepEqual(await n.stop('SIGTERM'), { code: 0, signal: null }, n.output());
});
