/**
 * The run contract (decisions.md §1): every setting parley reads from its environment, parsed once
 * into a frozen object. Nothing else reads process.env.
 */

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** SDKAppID of the default app; undefined: generated on first start and persisted. */
  readonly sdkappid: number | undefined;
  /** Secret key of the default app; undefined: generated on first start and persisted. */
  readonly secretKey: string | undefined;
  readonly admins: readonly string[];
  /** Calls per second per API per app; 0 turns the limit off. */
  readonly rateLimit: number;
  readonly appsFile: string | undefined;
  readonly databaseUrl: string | undefined;
  /** Connections to PostgreSQL each process keeps at most (PARLEY_DATABASE_POOL). */
  readonly databasePoolSize: number;
  readonly redisUrl: string | undefined;
  /** Namespace of parley's keys and channel in Redis (PARLEY_REDIS_PREFIX), for deployments sharing one Redis. */
  readonly redisPrefix: string;
  readonly logLevel: string;
  /** PARLEY_STRICT_FIELDS=1: refuse unknown request fields instead of ignoring them (decisions.md §2). */
  readonly strictFields: boolean;
  /** PEM files of the certificate and key to serve HTTPS with; both or neither. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Processes serving the port together (PARLEY_WORKERS or `--workers N`); 1: one process, no cluster. */
  readonly workers: number;
}

/** A setting that cannot be used as given. */
export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = text(env, name);
  if (raw === undefined || raw === '0') return false;
  if (raw === '1') return true;
  throw new ConfigError(`${name}=${raw} must be 1 (on) or 0 (off)`);
}

function tlsFiles(env: NodeJS.ProcessEnv): Config['tls'] {
  const certFile = text(env, 'PARLEY_TLS_CERT');
  const keyFile = text(env, 'PARLEY_TLS_KEY');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError('set both PARLEY_TLS_CERT and PARLEY_TLS_KEY (PEM files) to serve HTTPS, or neither');
  return Object.freeze({ certFile, keyFile });
}

/** Most worker processes: far more than the cores of any machine one SQLite file should serve. */
const MAX_WORKERS = 64;

/** PARLEY_WORKERS, overridden by a `--workers N` (or `--workers=N`) argument, the only argument parley takes. */
function workers(env: NodeJS.ProcessEnv, args: readonly string[]): number {
  let given: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--workers') given = args[++i] ?? '';
    else if (arg.startsWith('--workers=')) given = arg.slice('--workers='.length);
    else throw new ConfigError(`unknown argument ${arg}; parley takes only --workers N (its other settings are environment variables, see the README)`);
  }
  if (given === undefined) return integer(env, 'PARLEY_WORKERS', 1, 1, MAX_WORKERS);
  if (given.trim() === '') throw new ConfigError(`--workers needs a whole number from 1 to ${MAX_WORKERS}`);
  return integer({ '--workers': given }, '--workers', 1, 1, MAX_WORKERS);
}

/** Reads the configuration from an environment (process.env in the server) and the command line's arguments. */
export function loadConfig(env: NodeJS.ProcessEnv, args: readonly string[] = []): Config {
  const secretKey = text(env, 'PARLEY_SECRET_KEY');
  const admins = (text(env, 'PARLEY_ADMINS') ?? 'administrator')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (admins.length === 0) throw new ConfigError('PARLEY_ADMINS names no admin identifier');
  return Object.freeze({
    host: text(env, 'PARLEY_HOST') ?? '127.0.0.1',
    port: integer(env, 'PARLEY_PORT', 8080, 0, 65535),
    dataDir: text(env, 'PARLEY_DATA_DIR') ?? './data',
    sdkappid: env['PARLEY_SDKAPPID'] ? integer(env, 'PARLEY_SDKAPPID', 0, 1, 0xffffffff) : undefined,
    secretKey,
    admins: Object.freeze(admins),
    // The limiter keeps one timestamp per allowed call in the window, so the limit is bounded.
    rateLimit: integer(env, 'PARLEY_RATE_LIMIT', 200, 0, 100_000),
    appsFile: text(env, 'PARLEY_APPS_FILE'),
    databaseUrl: text(env, 'PARLEY_DATABASE_URL'),
    databasePoolSize: integer(env, 'PARLEY_DATABASE_POOL', 10, 1, 1000),
    redisUrl: text(env, 'PARLEY_REDIS_URL'),
    redisPrefix: text(env, 'PARLEY_REDIS_PREFIX') ?? 'parley',
    logLevel: text(env, 'PARLEY_LOG_LEVEL') ?? 'info',
    strictFields: flag(env, 'PARLEY_STRICT_FIELDS'),
    tls: tlsFiles(env),
    workers: workers(env, args),
  });
}
