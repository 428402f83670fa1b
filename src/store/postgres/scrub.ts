import type pg from 'pg';

/**
 * The tables that hold message content (with their TOAST tables, which VACUUM processes too); the
 * callback outbox holds the content its callbacks carry until they are delivered.
 */
const CONTENT_TABLES = ['c2c_messages', 'group_messages', 'callback_outbox'];

/**
 * Rewrites the tables that hold message content so that the row versions modifications, recalls
 * and deletions left behind are in no table file. An UPDATE or DELETE in PostgreSQL leaves the old
 * row version in the file; plain VACUUM (and autovacuum) frees its space, but the bytes of a freed
 * version stay in the page until something overwrites them (measured: a deleted row's content
 * survived VACUUM and CHECKPOINT). VACUUM FULL writes the live rows into new files and removes the
 * old ones. It holds an exclusive lock on each table while it runs, so calls that touch it wait:
 * run it at a quiet moment. Then a CHECKPOINT (for a superuser or a member of pg_checkpoint;
 * otherwise skipped) writes the new files out at once. Old content also stays in WAL segments
 * until they are recycled, and in backups, archives and replicas: docs/operations.md, "Scrubbing".
 * Resolves with whether the checkpoint ran.
 */
export async function scrubPostgres(pool: pg.Pool): Promise<{ checkpoint: boolean }> {
  const client = await pool.connect();
  client.on('error', () => {});
  try {
    // VACUUM cannot run inside a transaction block, and may take longer than a call's timeout.
    await client.query('SET statement_timeout = 0');
    for (const table of CONTENT_TABLES) await client.query(`VACUUM (FULL) ${table}`);
    const checkpoint = await client.query('CHECKPOINT').then(
      () => true,
      () => false,
    );
    return { checkpoint };
  } finally {
    client.release(true);
  }
}
