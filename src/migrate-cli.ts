/**
 * Copies an embedded data directory into PostgreSQL:
 *
 *   PARLEY_DATA_DIR=./data npm run migrate -- --to postgres://user@host:5432/database
 */
import { migrateToPostgres } from './migrate.js';

/** `npm run migrate -- --to postgres://…`: the command line around migrateToPostgres. */
async function main(args: readonly string[]): Promise<void> {
  const at = args.indexOf('--to');
  const url = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--to='))?.slice('--to='.length);
  if (url === undefined || url === '') {
    process.stderr.write('usage: PARLEY_DATA_DIR=<data directory> npm run migrate -- --to postgres://user@host:5432/database\n');
    process.exit(2);
  }
  const dataDir = process.env['PARLEY_DATA_DIR']?.trim() || './data';
  const counts = await migrateToPostgres(dataDir, url);
  for (const [table, n] of counts) process.stdout.write(`${table}: ${n} rows\n`);
  process.stdout.write(`copied ${dataDir} into PostgreSQL; start parley with PARLEY_DATABASE_URL set to that URL (keep PARLEY_SDKAPPID and PARLEY_SECRET_KEY, or ${dataDir}/app.json, as they were)\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`parley migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
