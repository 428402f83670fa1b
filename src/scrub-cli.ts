/**
 * Clears destroyed message content out of PostgreSQL's table files:
 *
 *   PARLEY_DATABASE_URL=postgres://user@host:5432/database npm run scrub
 *
 * Safe while parley serves, but calls that touch the message tables wait while each is rewritten:
 * run it at a quiet moment. The embedded store needs no such command: it scrubs its files itself
 * within seconds of each modification.
 */
import { openPool } from './store/postgres/connection.js';
import { scrubPostgres } from './store/postgres/scrub.js';

async function main(): Promise<void> {
  const url = process.env['PARLEY_DATABASE_URL']?.trim();
  if (url === undefined || url === '') {
    process.stderr.write('usage: PARLEY_DATABASE_URL=postgres://user@host:5432/database npm run scrub\n');
    process.exit(2);
  }
  const pool = openPool(url, { poolSize: 1 });
  try {
    const { checkpoint } = await scrubPostgres(pool);
    process.stdout.write(
      checkpoint
        ? 'rewrote the message tables (VACUUM FULL) and checkpointed\n'
        : 'rewrote the message tables (VACUUM FULL); CHECKPOINT needs a superuser or pg_checkpoint, so the cleaned pages reach the files at the next automatic checkpoint\n',
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`parley scrub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
