import pg from 'pg';

/** Connections each parley process keeps open at most; PostgreSQL's default max_connections is 100. */
export const DEFAULT_POOL_SIZE = 10;

/**
 * How long a call may wait for PostgreSQL. A call fails with the internal-error code when a
 * connection cannot be had, or a statement does not answer, within this time: never a hang.
 */
export const TIMEOUT_MS = 3000;

export interface PostgresOptions {
  /** Connections at most (default 10). */
  readonly poolSize?: number;
  /** The schema parley's tables live in (default: the connection's search_path, normally public). */
  readonly schema?: string;
}

/** int8 (bigint) and numeric counts come back as strings by default; every value parley keeps fits a double. */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, Number);

/** A bounded pool whose every wait is bounded too. */
export function openPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const schema = options.schema;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: TIMEOUT_MS,
    // The client gives up on a statement the server does not answer (a dead server sends nothing).
    query_timeout: TIMEOUT_MS,
    // The server gives up on one that runs too long (waiting for a lock, say).
    statement_timeout: TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'parley',
    types,
    ...(schema === undefined ? {} : { options: `-c search_path=${pg.escapeIdentifier(schema)}` }),
  });
  // An idle connection that breaks (the server restarted) is dropped from the pool and reported
  // here; without a listener it would crash the process.
  pool.on('error', () => {});
  return pool;
}

/** PostgreSQL's SQLSTATE codes for a transaction that may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Runs `work` in a transaction on one connection; retries a serialization failure or deadlock. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    // A connection that breaks between two statements (the server went away) reports it as an
    // event on the client; unheard, that event would crash the process. The next statement fails.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!broken) {
        broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
      }
      const code = (error as { code?: unknown }).code;
      if (attempt < 3 && typeof code === 'string' && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      client.off('error', onError);
      // A connection that broke, or whose ROLLBACK failed, is in an unknown state: destroy it rather than reuse it.
      client.release(broken);
    }
  }
}
