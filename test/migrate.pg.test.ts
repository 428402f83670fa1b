import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { migrateToPostgres } from '../src/migrate.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { startServer, tempDir, text, type TestServer } from './helpers.js';
import { dropSchema, openTestPostgres, testDatabaseUrl, testSchema } from './pg.js';

/** Everything the APIs show of the data the test made: read the same way before and after. */
async function snapshot(s: TestServer, groupIds: readonly string[]): Promise<unknown> {
  const roam = (owner: string, peer: string) =>
    s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, MaxTime: 4_000_000_000 });
  const strip = (r: Record<string, unknown>) => {
    const { ActionStatus: _a, ErrorCode: _c, ErrorInfo: _i, ...rest } = r;
    return rest;
  };
  return {
    check: strip(await s.ok('im_open_login_svc/account_check', { CheckItem: ['a', 'b', 'c', 'gone'].map((UserID) => ({ UserID })) })),
    ab: strip(await roam('a', 'b')),
    ba: strip(await roam('b', 'a')),
    groups: strip(await s.ok('group_open_http_svc/get_group_info', { GroupIdList: groupIds })),
    history: await Promise.all(groupIds.map(async (GroupId) => strip(await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId, ReqMsgNumber: 20 })))),
  };
}

test('an embedded data directory copied into PostgreSQL reads back the same, and goes on from where it was', async () => {
  const dataDir = tempDir('parley-migrate-');
  const before = await startServer({ dataDir, store: openSqliteStore });
  let groupIds: string[];
  let expected: unknown;
  try {
    await before.users('a', 'b', 'c', 'gone');
    await before.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] });
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await before.ok('openim/sendmsg', { From_Account: i % 2 === 0 ? 'a' : 'b', To_Account: i % 2 === 0 ? 'b' : 'a', MsgRandom: i, MsgBody: text(`m${i} 你好`), CloudCustomData: `cd${i}` });
      keys.push(String(r['MsgKey']));
    }
    await before.ok('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: keys[0], MsgBody: text('edited') });
    await before.ok('openim/admin_msgwithdraw', { From_Account: 'a', To_Account: 'b', MsgKey: keys[2] });
    const g = String((await before.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', Owner_Account: 'a', MemberList: [{ Member_Account: 'b' }] }))['GroupId']);
    const c = String((await before.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', Owner_Account: 'a', SupportTopic: 1 }))['GroupId']);
    for (let i = 0; i < 4; i++) await before.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'b', Random: i, MsgBody: text(`g${i}`) });
    await before.ok('openim/modify_group_msg', { GroupId: g, MsgSeq: 2, MsgBody: text('group edited') });
    await before.ok('group_open_http_svc/group_msg_recall', { GroupId: g, MsgSeqList: [{ MsgSeq: 3 }] });
    await before.ok('million_group_open_http_svc/create_topic', { GroupId: c, TopicName: 't' });
    groupIds = [g, c];
    expected = await snapshot(before, groupIds);
  } finally {
    await before.close();
  }

  const schema = testSchema();
  try {
    const counts = await migrateToPostgres(dataDir, testDatabaseUrl(), { schema });
    assert.equal(counts.get('c2c_messages'), 5);
    assert.equal(counts.get('group_messages'), 4);
    const after = await startServer({ store: () => openTestPostgres(schema) });
    try {
      assert.deepEqual(await snapshot(after, groupIds), expected);
      const next = await after.ok('group_open_http_svc/send_group_msg', { GroupId: groupIds[0], From_Account: 'a', Random: 99, MsgBody: text('after') });
      assert.equal(next['MsgSeq'], 5, 'MsgSeq goes on from where the embedded store left it');
    } finally {
      await after.close();
    }
    // Copying again into the same, now non-empty, target is refused and changes nothing.
    const cli = spawnSync(process.execPath, [fileURLToPath(new URL('../src/migrate-cli.js', import.meta.url)), '--to', `${testDatabaseUrl()}?options=-c%20search_path%3D${schema}`], {
      env: { ...process.env, PARLEY_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    assert.equal(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /not empty/);
  } finally {
    await dropSchema(schema);
  }
});
