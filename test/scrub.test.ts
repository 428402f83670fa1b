// Store: SQLite only: this suite reads the embedded store's files (see docs/operations.md for PostgreSQL).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { startServer, text } from './helpers.js';

function dataDirHolds(dir: string, marker: string): boolean {
  return readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(marker));
}

test('while parley runs, modified, recalled, deleted (by both parties, and by sender) and destroyed content leaves the data directory within five seconds', async () => {
  const s = await startServer({ store: openSqliteStore });
  try {
    await s.users('a', 'b');
    const old = (tag: string) => `old-${tag}-${randomBytes(16).toString('hex')}`;
    const markers = { modified: old('c2c'), recalled: old('recall'), group: old('group'), destroyed: old('destroyed'), deleted: old('deleted'), deletedData: old('deleted-cd'), bySender: old('by-sender'), bySenderData: old('by-sender-ccd') };
    const kept = `new-${randomBytes(16).toString('hex')}`;
    const k1 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 1, MsgBody: text(markers.modified) }))['MsgKey'];
    const k2 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 2, MsgBody: text(markers.recalled) }))['MsgKey'];
    const k3 = (await s.ok('openim/sendmsg', { From_Account: 'a', To_Account: 'b', MsgRandom: 3, MsgBody: text(markers.deleted), CloudCustomData: markers.deletedData }))['MsgKey'];
    const g = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'g', Owner_Account: 'a' }))['GroupId'];
    const d = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'd', Owner_Account: 'a' }))['GroupId'];
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, Random: 1, MsgBody: text(markers.group) });
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: d, Random: 1, MsgBody: text(markers.destroyed) });
    const e = (await s.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'e', Owner_Account: 'b' }))['GroupId'];
    await s.ok('group_open_http_svc/send_group_msg', { GroupId: e, From_Account: 'b', Random: 1, MsgBody: text(markers.bySender), CloudCustomData: markers.bySenderData });
    for (const m of Object.values(markers)) assert.ok(dataDirHolds(s.dataDir, m), 'the content is on disk before');

    await s.ok('openim/modify_c2c_msg', { From_Account: 'a', To_Account: 'b', MsgKey: k1, MsgBody: text(kept) });
    await s.ok('openim/admin_msgwithdraw', { From_Account: 'a', To_Account: 'b', MsgKey: k2 });
    await s.ok('openim/modify_group_msg', { GroupId: g, MsgSeq: 1, MsgBody: text(kept) });
    await s.ok('group_open_http_svc/destroy_group', { GroupId: d });
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'b', Peer_Account: 'a', MsgKeyList: [k3] });
    assert.ok(dataDirHolds(s.dataDir, markers.deleted), 'deleted by one party only: the other still sees it');
    await s.ok('openim/delete_c2c_msg_ramble', { Operator_Account: 'a', Peer_Account: 'b', MsgKeyList: [k3] });
    await s.ok('group_open_http_svc/delete_group_msg_by_sender', { GroupId: e, Sender_Account: 'b' });
    await sleep(6000);
    for (const [what, m] of Object.entries(markers)) assert.equal(dataDirHolds(s.dataDir, m), false, `${what} content is still in the data directory`);
    assert.ok(dataDirHolds(s.dataDir, kept), 'the new content is there');
  } finally {
    await s.close();
  }
});
