import { type Config, ConfigError } from '../config.js';
import type { HealthCheck } from '../deps.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

/** The store the configuration names: PostgreSQL at PARLEY_DATABASE_URL, else SQLite in the data directory. */
export async function openConfiguredStore(config: Config, options: { readonly shared: boolean }): Promise<{ store: Store; check: HealthCheck }> {
  const url = config.databaseUrl;
  const store = url === undefined ? openSqliteStore(config.dataDir, { shared: options.shared }) : await openPostgres(url, config.databasePoolSize);
  return { store, check: { name: config.databaseUrl === undefined ? 'sqlite' : 'postgres', healthy: () => store.healthy() } };
}

/** Opens PostgreSQL, turning a failure into a sentence that names the server (never its password). */
async function openPostgres(url: string, poolSize: number): Promise<Store> {
  try {
    return await openPostgresStore(url, { poolSize });
  } catch (error) {
    let where = 'PARLEY_DATABASE_URL';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || '5432'}${u.pathname} (PARLEY_DATABASE_URL)`;
    } catch {
      // not a URL: a libpq key=value string; name only the variable
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot open the PostgreSQL store at ${where}: ${reason}; is PostgreSQL running and the URL right?`);
  }
}
