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
  readonly redisUrl: string | undefined;
  readonly logLevel: string;
  /** PARLEY_STRICT_FIELDS=1: refuse unknown request fields instead of ignoring them (decisions.md §2). */
  readonly strictFields: boolean;
  /** PEM files of the certificate and key to serve HTTPS with; both or neither. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
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

/** Reads the configuration from an environment (process.env in the server). */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
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
    redisUrl: text(env, 'PARLEY_REDIS_URL'),
    logLevel: text(env, 'PARLEY_LOG_LEVEL') ?? 'info',
    strictFields: flag(env, 'PARLEY_STRICT_FIELDS'),
    tls: tlsFiles(env),
  });
}
