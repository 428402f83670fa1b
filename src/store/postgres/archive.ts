import type pg from 'pg';
import type { C2CArchiveCursor, GroupArchiveCursor } from '../archive-types.js';
import type { GroupMessage } from '../group-types.js';
import { C2C_COLUMNS, type C2CRow, GROUP_MESSAGE_COLUMNS, type GroupMessageRow, toC2CMessage, toGroupMessage } from '../rows.js';
import type { C2CMessage } from '../types.js';

/** $1 app, $2 since, $3 until, $4 limit; the cursor follows. */
const RANGE = 'app = $1 AND msg_time >= $2 AND msg_time < $3 AND NOT recalled';

/**
 * Pages of an app's messages in time order, for the hourly archive (get_history), as in
 * sqlite/archive.ts: one statement per page, no cursor or transaction held between pages.
 */
export function postgresArchive(pool: pg.Pool) {
  return {
    async archiveC2C(app: number, since: number, until: number, after: C2CArchiveCursor | undefined, limit: number): Promise<readonly C2CMessage[]> {
      const order = 'ORDER BY msg_time, from_account, to_account, msg_seq, msg_random LIMIT $4';
      const result =
        after === undefined
          ? await pool.query<C2CRow>(`SELECT ${C2C_COLUMNS} FROM c2c_messages WHERE ${RANGE} ${order}`, [app, since, until, limit])
          : await pool.query<C2CRow>(
              `SELECT ${C2C_COLUMNS} FROM c2c_messages WHERE ${RANGE} AND msg_time >= $5
                 AND (msg_time, from_account, to_account, msg_seq, msg_random) > ($5, $6, $7, $8, $9) ${order}`,
              [app, since, until, limit, after.time, after.from, after.to, after.seq, after.random],
            );
      return result.rows.map(toC2CMessage);
    },
    async archiveGroup(app: number, since: number, until: number, after: GroupArchiveCursor | undefined, limit: number): Promise<readonly GroupMessage[]> {
      const order = 'ORDER BY msg_time, group_id, topic_id, msg_seq LIMIT $4';
      const result =
        after === undefined
          ? await pool.query<GroupMessageRow>(`SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages WHERE ${RANGE} ${order}`, [app, since, until, limit])
          : await pool.query<GroupMessageRow>(
              `SELECT ${GROUP_MESSAGE_COLUMNS} FROM group_messages WHERE ${RANGE} AND msg_time >= $5
                 AND (msg_time, group_id, topic_id, msg_seq) > ($5, $6, $7, $8) ${order}`,
              [app, since, until, limit, after.time, after.groupId, after.topicId, after.seq],
            );
      return result.rows.map(toGroupMessage);
    },
  };
}
