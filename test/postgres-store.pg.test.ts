import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, openTestPostgres, testDatabaseUrl, testSchema } from './pg.js';
import { storeContract } from './store-contract.js';

storeContract('PostgreSQL', () => openTestPostgres());

const group = (groupId: string) => ({
  groupId,
  type: 'Public' as const,
  name: groupId,
  owner: 'a',
  introduction: '',
  notification: '',
  faceUrl: '',
  maxMemberCount: 100,
  applyJoinOption: 'FreeAccess',
  inviteJoinOption: 'FreeAccess',
  supportTopic: false,
  appDefinedData: '[]',
  members: [{ account: 'a', role: 'Owner' as const }],
  createTime: 1,
});

test('PostgreSQL: two stores on one database (two nodes) share MsgSeq without gap or repeat', async () => {
  const one = await openTestPostgres();
  const two = await openTestPostgres(one.schema);
  try {
    await one.importAccounts(1, [{ userId: 'a' }]);
    assert.equal(await one.createGroup(1, group('g')), true);
    const sends = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? one : two).sendGroupMessage(1, {
        groupId: 'g',
        topicId: '',
        from: 'a',
        random: i,
        time: 10,
        priority: 2,
        body: '[]',
        cloudCustomData: '',
        keep: true,
        dedupSince: 0,
        memberOnly: true,
        toAccounts: [],
      }),
    );
    const seqs = (await Promise.all(sends)).map((r) => ('seq' in r ? r.seq : -1)).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
    const modified = await two.modifyGroupMessage(1, 'g', '', 7, { cloudCustomData: 'edited', maxSize: 12288 });
    assert.equal(modified.kind, 'ok');
    const [read] = await one.groupHistory(1, 'g', '', 7, 1, false);
    assert.equal(read?.cloudCustomData, 'edited', 'a modification through one node is read through the other');
  } finally {
    await two.close();
    await one.close();
  }
});

test('PostgreSQL: nodes starting at once migrate once; a newer schema is refused', async () => {
  const schema = testSchema();
  try {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(testDatabaseUrl(), { schema, poolSize: 1 })));
    await Promise.all(stores.map((s) => s.close()));
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const version = await client.query(`SELECT version FROM ${client.escapeIdentifier(schema)}.parley_schema`);
      assert.equal(version.rows.length, 1);
      await client.query(`UPDATE ${client.escapeIdentifier(schema)}.parley_schema SET version = 999`);
    } finally {
      await client.end();
    }
    await assert.rejects(openPostgresStore(testDatabaseUrl(), { schema }), /newer than this parley/);
  } finally {
    await dropSchema(schema);
  }
});

test('PostgreSQL: an unreachable server fails calls within seconds and reports unhealthy', async () => {
  // Nothing listens on port 1: connecting fails at once; healthy() must say so, not hang.
  await assert.rejects(openPostgresStore('postgres://postgres@127.0.0.1:1/postgres'));
});
