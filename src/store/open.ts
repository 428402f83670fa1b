import type { Config } from '../config.js';
import type { HealthCheck } from '../deps.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

/** The store the configuration names: PostgreSQL at PARLEY_DATABASE_URL, else SQLite in the data directory. */
export async function openConfiguredStore(config: Config, options: { readonly shared: boolean }): Promise<{ store: Store; check: HealthCheck }> {
  const store =
    config.databaseUrl === undefined
      ? openSqliteStore(config.dataDir, { shared: options.shared })
      : await openPostgresStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  return { store, check: { name: config.databaseUrl === undefined ? 'sqlite' : 'postgres', healthy: () => store.healthy() } };
}
