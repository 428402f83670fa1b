import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { CloseCode } from '../src/client/index.js';
import { callApi, type Reply, tempDir, text } from './helpers.js';
import { createSchema, dropSchema, schemaUrl, testSchema } from './pg.js';
import { type ServerProcess, startProcess } from './process.js';
import { eventually, type Watcher, watch } from './stream-clients.js';

// The event stream across two parley processes (two nodes) on one PostgreSQL and one Redis: a
// user sees what is done through either node, wherever it is connected, may resume on the other
// node, and query_online_status and kick see every node's sockets.

const nodes: ServerProcess[] = [];
const watchers: Watcher[] = [];
const schema = testSchema();
after(async () => {
  for (const w of watchers) w.stream.close();
  for (const p of nodes) await p.stop('SIGKILL');
  await dropSchema(schema);
});

async function ok(url: string, api: string, body: unknown): Promise<Reply> {
  const r = await callApi(url, api, body);
  assert.equal(r.ErrorCode, 0, `${api}: ${r.ErrorCode} ${r.ErrorInfo}`);
  return r;
}

test('two nodes on one PostgreSQL and Redis: events cross nodes, streams resume on either, presence and kick are cluster-wide', async () => {
  await createSchema(schema);
  const env = { PARLEY_DATABASE_URL: schemaUrl(schema), PARLEY_REDIS_URL: process.env['PARLEY_TEST_REDIS_URL'] ?? '', PARLEY_REDIS_PREFIX: `parley-test-${process.pid}-${randomBytes(4).toString('hex')}` };
  for (let i = 0; i < 2; i++) nodes.push(await startProcess(tempDir('parley-node-'), { env }));
  const [a, b] = nodes.map((n) => n.url) as [string, string];
  const on = async (url: string, user: string, options: Parameters<typeof watch>[2] = {}) => {
    const w = await watch(url, user, options);
    watchers.push(w);
    return w;
  };

  await ok(a, 'im_open_login_svc/multiaccount_import', { Accounts: ['x1', 'x2', 'x3'] });
  const x2 = await on(b, 'x2', { platform: 'Android' });
  const x1 = await on(a, 'x1', { platform: 'PC' });

  // A modification made through node A reaches the peer connected to node B, with the new content.
  const sent = await ok(a, 'openim/sendmsg', { From_Account: 'x1', To_Account: 'x2', MsgRandom: 1, MsgBody: text('v1') });
  await ok(a, 'openim/modify_c2c_msg', { From_Account: 'x1', To_Account: 'x2', MsgKey: sent['MsgKey'], MsgBody: text('v2 from node a'), CloudCustomData: 'cd' });
  for (const w of [x2, x1]) {
    const [, modified] = await w.wait(2);
    assert.ok(modified !== undefined && modified.Event === 'C2C.MsgModified');
    assert.deepEqual([modified.MsgBody, modified.CloudCustomData, modified.MsgKey], [text('v2 from node a'), 'cd', sent['MsgKey']]);
  }

  // A group message sent through B reaches the member on A.
  const groupId = (await ok(b, 'group_open_http_svc/create_group', { Type: 'Public', Name: 'nodes', Owner_Account: 'x1', MemberList: [{ Member_Account: 'x2' }] }))['GroupId'] as string;
  await ok(b, 'group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: 'x2', Random: 7, MsgBody: text('to the group') });
  for (const w of [x1, x2]) {
    const [e] = await w.wait(1, (f) => f.Event === 'Group.NewMsg');
    assert.ok(e !== undefined && e.Event === 'Group.NewMsg');
    assert.deepEqual([e.GroupId, e.MsgBody], [groupId, text('to the group')]);
  }

  // query_online_status through either node sees the users of both.
  for (const url of [a, b]) {
    const r = await ok(url, 'openim/query_online_status', { IsNeedDetail: 1, To_Account: ['x1', 'x2', 'x3'] });
    assert.deepEqual(r['QueryResult'], [
      { To_Account: 'x1', Status: 'Online', Detail: [{ Platform: 'PC', Status: 'Online' }] },
      { To_Account: 'x2', Status: 'Online', Detail: [{ Platform: 'Android', Status: 'Online' }] },
      { To_Account: 'x3', Status: 'Offline' },
    ]);
  }

  // x2 leaves node B, misses two events, and resumes on node A.
  const left = x2.stream.position();
  assert.ok(left !== undefined);
  x2.stream.close();
  await ok(b, 'openim/sendmsg', { From_Account: 'x1', To_Account: 'x2', MsgRandom: 2, MsgBody: text('missed 1') });
  await ok(a, 'openim/sendmsg', { From_Account: 'x3', To_Account: 'x2', MsgRandom: 3, MsgBody: text('missed 2') });
  const back = await on(a, 'x2', { resume: left });
  assert.equal((await back.stream.connected()).Recovered, true);
  const missed = await back.wait(2);
  assert.deepEqual(missed.map((e) => e.Event === 'C2C.NewMsg' && e.MsgBody), [text('missed 1'), text('missed 2')]);
  assert.deepEqual(missed.map((e) => e.Offset), [left.offset + 1, left.offset + 2]);

  // A kick through node B closes x1's socket on node A.
  await ok(b, 'im_open_login_svc/kick', { UserID: 'x1' });
  await eventually(() => x1.closes.length === 1, 'x1 to be kicked');
  assert.equal(x1.closes[0]?.code, CloseCode.Kicked);
  let status = '';
  for (let i = 0; i < 100 && status !== 'Offline'; i++) {
    status = ((await ok(b, 'openim/query_online_status', { To_Account: ['x1'] }))['QueryResult'] as { Status: string }[])[0]?.Status ?? '';
    if (status !== 'Offline') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(status, 'Offline');
});
