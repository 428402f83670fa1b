import { test } from 'node:test';
import { CRASH_TITLE, crashUnderLoad } from './crash-scenario.js';
import { tempDir } from './helpers.js';
import { createSchema, dropSchema, queryTestSchema, schemaUrl, testSchema } from './pg.js';
import { startProcess } from './process.js';

test(`PostgreSQL: ${CRASH_TITLE}`, async (t) => {
  const schema = testSchema();
  await createSchema(schema);
  t.after(() => dropSchema(schema));
  const dataDir = tempDir('parley-crash-pg-');
  await crashUnderLoad(t, {
    start: () => startProcess(dataDir, { env: { PARLEY_DATABASE_URL: schemaUrl(schema) } }),
    // amcheck verifies every B-tree index of parley's tables, and that each holds every row of its table.
    async integrity() {
      const ident = `"${schema}"`;
      await queryTestSchema(schema, `CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA ${ident}`);
      const [ext] = await queryTestSchema(schema, "SELECT n.nspname AS ns FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'");
      const checked = await queryTestSchema(
        schema,
        `SELECT c.relname, "${String(ext?.['ns'])}".bt_index_check(c.oid, true) FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
         WHERE n.nspname = $1 AND a.amname = 'btree'`,
        [schema],
      );
      return checked.length >= 8 ? 'ok' : `only ${checked.length} indexes checked`;
    },
  });
});
