import type pg from 'pg';

/** The tables that hold message content. */
const CONTENT_TABLES = ['c2c_messages', 'group_messages'];

/**
 * Rewrites the tables that hold message content, so the row versions that modifications, recalls
 * and deletions left behind are gone from the table files, not merely marked dead. An UPDATE in
 * PostgreSQL writes a new row version and leaves the old one in the heap until VACUUM reclaims its
 * space, and even then its bytes stay in the page until something overwrites them; VACUUM FULL
 * writes every live row into new files and removes the old ones. It holds an exclusive lock on
 * each table while it runs: run it at a quiet moment (docs/operations.md, "Scrubbing").
 */
export async function scrubPostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // VACUUM cannot run inside a transaction block, and may take longer than a call's timeout.
    await client.query('SET statement_timeout = 0');
    for (const table of CONTENT_TABLES) await client.query(`VACUUM (FULL) ${table}`);
  } finally {
    client.release(true);
  }
}
