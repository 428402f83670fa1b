import type { Database } from 'better-sqlite3';
import type { C2CArchiveCursor, GroupArchiveCursor } from '../archive-types.js';
import type { GroupMessage } from '../group-types.js';
import { C2C_COLUMNS, type C2CRow, GROUP_MESSAGE_COLUMNS, type GroupMessageRow, toC2CMessage, toGroupMessage } from '../rows.js';
import type { C2CMessage } from '../types.js';

/**
 * Pages of an app's messages in time order, for the hourly archive (get_history). Each page is one
 * statement read whole: an open iterator would keep the connection busy for every other call.
 */
export function sqliteArchive(db: Database) {
  const RANGE = 'app = @app AND msg_time >= @since AND msg_time < @until AND recalled = 0';
  const c2cFirst = db.prepare(`SELECT ${C2C_COLUMNS} FROM c2c_messages WHERE ${RANGE} ORDER BY msg_time, from_account, to_account, msg_seq, msg_random LIMIT @limit`);
  const c2cAfter = db.prepare(
    `SELECT ${C2C_COLUMNS} FROM c2c_messages
     WHERE ${RANGE} AND msg_time >= @time AND (msg_time, from_account, to_account, msg_seq, msg_random) > (@time, @from, @to, @seq, @random)
     ORDER BY msg_time, from_account, to_account, msg_seq, msg_random LIMIT @limit`,
  );
  const groupFirst = db.prepare(`SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages WHERE ${RANGE} ORDER BY msg_time, group_id, topic_id, msg_seq LIMIT @limit`);
  const groupAfter = db.prepare(
    `SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages
     WHERE ${RANGE} AND msg_time >= @time AND (msg_time, group_id, topic_id, msg_seq) > (@time, @groupId, @topicId, @seq)
     ORDER BY msg_time, group_id, topic_id, msg_seq LIMIT @limit`,
  );

  return {
    archiveC2C(app: number, since: number, until: number, after: C2CArchiveCursor | undefined, limit: number): Promise<readonly C2CMessage[]> {
      const range = { app, since, until, limit };
      const rows = (after === undefined ? c2cFirst.all(range) : c2cAfter.all({ ...range, time: after.time, from: after.from, to: after.to, seq: after.seq, random: after.random })) as C2CRow[];
      return Promise.resolve(rows.map(toC2CMessage));
    },
    archiveGroup(app: number, since: number, until: number, after: GroupArchiveCursor | undefined, limit: number): Promise<readonly GroupMessage[]> {
      const range = { app, since, until, limit };
      const rows = (after === undefined ? groupFirst.all(range) : groupAfter.all({ ...range, time: after.time, groupId: after.groupId, topicId: after.topicId, seq: after.seq })) as GroupMessageRow[];
      return Promise.resolve(rows.map(toGroupMessage));
    },
  };
}
