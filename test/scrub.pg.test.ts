import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer, text } from './helpers.js';
import { openTestPostgres, queryTestSchema, schemaUrl } from './pg.js';

/** Every file of a table and its TOAST table, as PostgreSQL names them (main fork, first segment). */
async function tableFiles(schema: string, table: string): Promise<string[]> {
  const rows = await queryTestSchema(
    schema,
    `SELECT current_setting('data_directory') || '/' || pg_relation_filepath(c.oid) AS heap,
            CASE WHEN c.reltoastrelid <> 0 THEN current_setting('data_directory') || '/' || pg_relation_filepath(c.reltoastrelid) END AS toast
     FROM pg_class c WHERE c.oid = $1::regclass`,
    [`"${schema}".${table}`],
  );
  return rows.flatMap((r) => [r['heap'], r['toast']]).filter((f): f is string => typeof f === 'string');
}

test('PostgreSQL: destroyed content is in no table at once, and out of the table files after `npm run scrub`', async (t) => {
  const pg = await openTestPostgres();
  const s = await startServer({ store: () => pg });
  try {
    await s.users('a', 'b');
    const old = (tag: string, long = false) => `old-${tag}-${randomBytes(12).toString('hex')}${long ? '.'.repeat(5000) : ''}`;
    const markers = { modified: old('c2c'), long: old('long', true), recalled: old('recall'), group: old('group'), destroyed: old('destroyed'), deleted: old('deleted'), deletedData: old('deleted-cd'), bySender: old('by-sender'), bySenderData: old('by-sender-ccd') };
    const kept = `new-${randomBytes(12).toString('hex')}`;
    const k1 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 1, MsgBody: text(markers.modified) }))['MsgKey'];
    const k2 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 2, MsgBody: text(markers.recalled) }))['MsgKey'];
    const k3 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 3, MsgBody: text(markers.long) }))['MsgKey'];
    const k4 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 4, MsgBody: text(markers.deleted), CloudCustomData: markers.deletedData }))['MsgKey'];
    const g = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', Owner_Account: 'a' }))['GroupId'];
    const d = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'd', Owner_Account: 'a' }))['GroupId'];
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, Random: 1, MsgBody: text(markers.group) });
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: d, Random: 1, MsgBody: text(markers.destroyed) });
    const e = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'e', Owner_Account: 'b' }))['GroupId'];
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: e, From_Account: 'b', Random: 1, MsgBody: text(markers.bySender), CloudCustomData: markers.bySenderData });
    await s.ok('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: k1, MsgBody: text(kept) });
    await s.ok('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: k3, MsgBody: text('short now') });
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'a', To_Account: 'b', MsgKey: k2 });
    await s.ok('openim/modify_group_msg', { GroupId: g, MsgSeq: 1, MsgBody: text('edited') });
    await s.ok('group_open_http_svc/destroy_group', { GroupId: d });
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'a', Peer_Account: 'b', MsgKeyList: [k4] });
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'b', Peer_Account: 'a', MsgKeyList: [k4] });
    await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: e, Sender_Account: 'b' });

    // No table holds a copy: every row of every table of the schema, as text.
    const tables = (await queryTestSchema(pg.schema, "SELECT tablename FROM pg_tables WHERE schemaname = $1", [pg.schema])).map((r) => String(r['tablename']));
    assert.ok(tables.length >= 7);
    for (const table of tables) {
      for (const [what, m] of Object.entries(markers)) {
        const found = await queryTestSchema(pg.schema, `SELECT count(*)::int AS n FROM ${table} t WHERE t::text LIKE $1`, [`%${m.slice(0, 40)}%`]);
        assert.equal(found[0]?.['n'], 0, `${what} content is still in table ${table}`);
      }
    }

    const scrub = spawnSync(process.execPath, [fileURLToPath(new URL('../src/scrub-cli.js', import.meta.url))], {
      env: { ...process.env, PARLEY_DATABASE_URL: schemaUrl(pg.schema) },
      encoding: 'utf8',
    });
    assert.equal(scrub.status, 0, scrub.stderr);
    assert.match(scrub.stdout, /rewrote the message tables \(VACUUM FULL\) and checkpointed/);

    const files = [...(await tableFiles(pg.schema, 'c2c_messages')), ...(await tableFiles(pg.schema, 'group_messages'))];
    let contents: Buffer;
    try {
      contents = Buffer.concat(files.map((f) => readFileSync(f)));
    } catch (error) {
      t.skip(`PostgreSQL's files cannot be read by this user (${String(error)}); the table check above still ran`);
      return;
    }
    assert.ok(contents.includes(kept), 'the files read are the tables parley wrote');
    for (const [what, m] of Object.entries(markers)) assert.equal(contents.includes(m.slice(0, 40)), false, `${what} content is still in the table files`);
  } finally {
    await s.close();
  }
});
