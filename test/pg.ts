import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/types.js';

/** The PostgreSQL the optional suites run against (PARLEY_TEST_DATABASE_URL). */
export function testDatabaseUrl(): string {
  const url = process.env['PARLEY_TEST_DATABASE_URL'];
  if (url === undefined || url === '') throw new Error('PARLEY_TEST_DATABASE_URL is not set');
  return url;
}

/** A schema name of its own for each store a test opens, so test files never see each other's rows. */
export function testSchema(): string {
  return `parley_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates an empty test schema (for a parley process to fill). */
export async function createSchema(schema: string): Promise<void> {
  await queryTestSchema('public', `CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
}

/** PARLEY_TEST_DATABASE_URL with the schema as the connection's search_path: what a parley process is given. */
export function schemaUrl(schema: string): string {
  const url = new URL(testDatabaseUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Drops a test schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs one statement in a test schema (to look at what the store keeps). */
export async function queryTestSchema(schema: string, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), options: `-c search_path=${pg.escapeIdentifier(schema)}` });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/**
 * Opens a PostgreSQL store in a fresh schema; closing it drops the schema. `schema` joins an
 * existing one instead (a second node on the same data), which this store then does not drop.
 */
export async function openTestPostgres(schema?: string): Promise<Store & { readonly schema: string }> {
  const own = schema === undefined;
  const name = schema ?? testSchema();
  const store = await openPostgresStore(testDatabaseUrl(), { schema: name, poolSize: 4 });
  return {
    ...store,
    schema: name,
    async close() {
      await store.close();
      if (own) await dropSchema(name);
    },
  };
}
