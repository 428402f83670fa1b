// Runs every compiled test with node:test, then checks that each ErrorCode in the catalog was
// produced by at least one test. Suites that need PostgreSQL or Redis run only when their URL is given.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'dist', 'test');
// The API suites run once per store: the second run's entry files are generated here.
const onPostgres = join(testDir, 'on-postgres');
rmSync(onPostgres, { recursive: true, force: true });
const files = readdirSync(testDir, { recursive: true })
  .filter((f) => String(f).endsWith('.test.js'))
  .map((f) => join(testDir, String(f)))
  .sort();

const optional = [
  { variable: 'PARLEY_TEST_DATABASE_URL', what: 'PostgreSQL suites', marker: '.pg.' },
  { variable: 'PARLEY_TEST_REDIS_URL', what: 'Redis suites', marker: '.redis.' },
];
// A file needs every service its name marks: x.pg.redis.test.js needs both.
const needs = (f, o) => basename(f).includes(o.marker);
const selected = files.filter((f) => optional.every((o) => !needs(f, o) || process.env[o.variable]));
for (const o of optional) {
  const count = files.filter((f) => needs(f, o)).length;
  if (count === 0) {
    console.log(`${o.what}: none exist yet; ${o.variable} will turn them on when they do`);
  } else if (!process.env[o.variable]) {
    console.log(`skipped: ${count} ${o.what} (set ${o.variable} to run them)`);
  } else {
    console.log(`running: ${count} ${o.what} against ${o.variable}`);
  }
}

// Every file that starts a server in process is an API suite and runs on PostgreSQL too, unless it
// says it tests the embedded store itself (the marker below, in a comment).
const SQLITE_ONLY = 'Store: SQLite only';
const apiSuites = files.filter((f) => {
  const source = readFileSync(f, 'utf8');
  // Files named for a service (x.pg.test.ts) already choose their stores themselves.
  return source.includes('startServer(') && !source.includes(SQLITE_ONLY) && optional.every((o) => !needs(f, o));
});
if (process.env['PARLEY_TEST_DATABASE_URL']) {
  mkdirSync(onPostgres, { recursive: true });
  for (const f of apiSuites) {
    const entry = join(onPostgres, basename(f));
    writeFileSync(entry, `process.env.PARLEY_TEST_STORE = 'postgres';\nawait import(${JSON.stringify(`./${relative(onPostgres, f)}`)});\n`);
    selected.push(entry);
  }
  console.log(`running: ${apiSuites.length} API suites a second time, on PostgreSQL (dist/test/on-postgres/)`);
} else {
  console.log(`skipped: the ${apiSuites.length} API suites on PostgreSQL (set PARLEY_TEST_DATABASE_URL to run them)`);
}

// Schemas a killed test run left behind (parley_test_<pid>_…, of a process that no longer runs).
if (process.env['PARLEY_TEST_DATABASE_URL']) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env['PARLEY_TEST_DATABASE_URL'] });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'parley\\_test\\_%'");
    const alive = (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stale = rows.map((r) => r.nspname).filter((name) => !alive(Number(name.split('_')[2])));
    for (const name of stale) await client.query(`DROP SCHEMA ${client.escapeIdentifier(name)} CASCADE`);
    if (stale.length > 0) console.log(`dropped ${stale.length} test schemas left behind by earlier runs`);
  } catch (error) {
    console.log(`PostgreSQL at PARLEY_TEST_DATABASE_URL does not answer: ${error.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

const codesDir = mkdtempSync(join(tmpdir(), 'parley-codes-'));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...selected], {
  stdio: 'inherit',
  env: { ...process.env, PARLEY_TEST_CODES_DIR: codesDir },
});

// Every code in the catalog must have been produced by some test.
const catalog = readFileSync(join(root, 'src', 'errors.ts'), 'utf8');
const declared = new Set([...catalog.matchAll(/^\s+(\d{5,6}): \{ meaning:/gm)].map((m) => Number(m[1])));
const seen = new Set(
  readdirSync(codesDir).flatMap((f) => readFileSync(join(codesDir, f), 'utf8').split('\n').filter(Boolean).map(Number)),
);
rmSync(codesDir, { recursive: true, force: true });
const unseen = [...declared].filter((c) => !seen.has(c)).sort();
const undeclared = [...seen].filter((c) => !declared.has(c)).sort();
let failed = result.status !== 0;
if (result.status === 0 && unseen.length > 0) {
  console.log(`error-code coverage: no test produced ${unseen.join(', ')}`);
  failed = true;
}
if (undeclared.length > 0) {
  console.log(`error-code coverage: tests saw codes missing from the catalog: ${undeclared.join(', ')}`);
  failed = true;
}
if (!failed) console.log(`error-code coverage: all ${declared.size} catalog codes produced by tests`);
process.exit(failed ? 1 : 0);
