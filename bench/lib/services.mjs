// PostgreSQL and Redis beside the servers under test: whether they answer, a private schema and
// key prefix per configuration (made before, removed after), the rows a run left, and the CPU
// their processes spend on this machine while parley calls them.
import pg from 'pg';
import { Redis } from 'ioredis';
import { commCpuSeconds, cpuOf } from './proc.mjs';

/** application_name of every PostgreSQL connection the bench makes or starts parley with. */
export const APPLICATION_NAME = 'parley-bench';
const MONITOR_NAME = `${APPLICATION_NAME}-monitor`;

const describe = (error) => (error instanceof Error ? error.message : String(error));

/** A connection string for `schema`: parley keeps its tables there and names itself parley-bench. */
export function schemaUrl(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  parsed.searchParams.set('application_name', APPLICATION_NAME);
  return parsed.toString();
}

/**
 * Connects to PostgreSQL at `url`, or resolves with why it cannot. The connection stays open to
 * make and drop schemas, count rows and tell which of the server's backends serve other clients.
 */
export async function openPostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000, application_name: MONITOR_NAME });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    await client.end().catch(() => {});
    return { reason: describe(error) };
  }
  const schemas = [];
  const count = async (schema, sql) => Number((await client.query(`SELECT (${sql.replaceAll('<schema>', client.escapeIdentifier(schema))}) AS n`)).rows[0].n);
  return {
    /** Creates an empty schema named `schema` and returns a connection string that uses it. */
    async createSchema(schema) {
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
      await client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`);
      schemas.push(schema);
      return schemaUrl(url, schema);
    },
    /** What a run left in `schema`, in the figures the SQLite check reads. */
    async stored(schema) {
      return {
        stored: await count(schema, 'SELECT count(*) FROM <schema>.c2c_messages'),
        edited: await count(schema, "SELECT count(*) FROM <schema>.c2c_messages WHERE body LIKE '%edited %'"),
        storedInGroup: await count(schema, 'SELECT count(*) FROM <schema>.group_messages'),
        editedInGroup: await count(schema, "SELECT count(*) FROM <schema>.group_messages WHERE body LIKE '%edited %'"),
        lastSeq: await count(schema, 'SELECT coalesce(max(msg_seq), 0) FROM <schema>.group_messages'),
      };
    },
    /** Backends serving clients other than the bench and the parley processes it started. */
    async otherBackends() {
      const result = await client.query(
        `SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name NOT LIKE $1`,
        [`${APPLICATION_NAME}%`],
      );
      return result.rows.map((r) => r.pid);
    },
    /** Drops every schema made here, then disconnects. */
    async close() {
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** Connects to Redis at `url`, or resolves with why it cannot; can delete the keys under a prefix. */
export async function openRedisControl(url) {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  let firstError; // the socket's own error says more than "Connection is closed"
  redis.on('error', (error) => (firstError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    return { reason: describe(firstError ?? error) };
  }
  const prefixes = [];
  return {
    /** Remembers a prefix whose keys go when the bench ends. */
    use(prefix) {
      prefixes.push(prefix);
      return prefix;
    },
    async close() {
      for (const prefix of prefixes.splice(0)) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * CPU seconds used so far by PostgreSQL (every process named "postgres": backends, WAL writer,
 * checkpointer, autovacuum; ended ones through the postmaster's reaped time) and by Redis, minus
 * the live backends of other clients when `postgres` can name them. On a shared machine other
 * users' ended connections and Redis commands still count; `others` says how many backends of
 * other clients were seen.
 */
export async function servicesCpu(postgres) {
  const otherPids = postgres === undefined || 'reason' in postgres ? [] : await postgres.otherBackends().catch(() => []);
  const others = new Map(otherPids.map((pid) => [pid, cpuOf(pid)?.own ?? 0]));
  return { postgres: commCpuSeconds('postgres'), redis: commCpuSeconds('redis-server'), others };
}

/** CPU seconds PostgreSQL and Redis spent between two readings of servicesCpu. */
export function servicesCpuSince(before, after) {
  let others = 0;
  for (const [pid, cpu] of after.others) if (before.others.has(pid)) others += cpu - (before.others.get(pid) ?? 0);
  return { postgres: after.postgres - before.postgres - others, redis: after.redis - before.redis, otherPostgres: others, otherBackends: new Set([...before.others.keys(), ...after.others.keys()]).size };
}
