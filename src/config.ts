import { type CallbackSettings, CallbackSettingsError, parseCallbackSettings } from './callbacks/settings.js';

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
  /** The user event stream (docs/events.md): retention, heartbeats and buffering (PARLEY_EVENTS_*). */
  readonly events: EventStreamSettings;
  /** Third-party callbacks of the default app (PARLEY_CALLBACK_*); undefined: none. */
  readonly callback: CallbackSettings | undefined;
  /** Seconds before the first retry of an after-callback; each later wait doubles (PARLEY_CALLBACK_RETRY_SECONDS). */
  readonly callbackRetrySeconds: number;
  /** Scheme, host and optional path prefix of URLs parley hands out (PARLEY_PUBLIC_URL); undefined: the way each caller came (its Host header). */
  readonly publicUrl: string | undefined;
}

/** How the event stream keeps and sends each user's events. */
export interface EventStreamSettings {
  /** Events kept per user for resuming (PARLEY_EVENTS_RETAIN_COUNT). */
  readonly retainCount: number;
  /** Seconds an event is kept for resuming (PARLEY_EVENTS_RETAIN_SECONDS). */
  readonly retainSeconds: number;
  /** Seconds between heartbeats; a socket that missed one is closed (PARLEY_EVENTS_PING_SECONDS). */
  readonly pingSeconds: number;
  /** Bytes a socket may have unsent before it is closed as a slow consumer (PARLEY_EVENTS_MAX_BUFFER). */
  readonly maxBufferedBytes: number;
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

/** PARLEY_CALLBACK_URL and its companions; the others without the URL are a mistake worth naming. */
function callbackSettings(env: NodeJS.ProcessEnv): CallbackSettings | undefined {
  const url = text(env, 'PARLEY_CALLBACK_URL');
  const token = text(env, 'PARLEY_CALLBACK_TOKEN');
  const commands = text(env, 'PARLEY_CALLBACK_COMMANDS');
  const onFailure = text(env, 'PARLEY_CALLBACK_ON_FAILURE');
  if (url === undefined) {
    const orphan = [token && 'PARLEY_CALLBACK_TOKEN', commands && 'PARLEY_CALLBACK_COMMANDS', onFailure && 'PARLEY_CALLBACK_ON_FAILURE'].find((n) => typeof n === 'string');
    if (orphan !== undefined) throw new ConfigError(`${orphan} is set but PARLEY_CALLBACK_URL is not; set the callback URL too, or unset ${orphan}`);
    return undefined;
  }
  try {
    return parseCallbackSettings(
      { url, token, commands, onFailure },
      { url: 'PARLEY_CALLBACK_URL', token: 'PARLEY_CALLBACK_TOKEN', commands: 'PARLEY_CALLBACK_COMMANDS', onFailure: 'PARLEY_CALLBACK_ON_FAILURE' },
    );
  } catch (error) {
    if (error instanceof CallbackSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

/** PARLEY_PUBLIC_URL: an http:// or https:// URL without query or fragment; kept without its trailing slash. */
function publicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = text(env, 'PARLEY_PUBLIC_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PARLEY_PUBLIC_URL=${raw} is not a URL; give the address clients reach parley at, such as https://chat.example.com`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`PARLEY_PUBLIC_URL=${raw} must be an http:// or https:// address without credentials, query or fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
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
    events: Object.freeze({
      retainCount: integer(env, 'PARLEY_EVENTS_RETAIN_COUNT', 200, 1, 100_000),
      retainSeconds: integer(env, 'PARLEY_EVENTS_RETAIN_SECONDS', 600, 1, 604_800),
      pingSeconds: integer(env, 'PARLEY_EVENTS_PING_SECONDS', 25, 1, 3600),
      maxBufferedBytes: integer(env, 'PARLEY_EVENTS_MAX_BUFFER', 1_048_576, 16_384, 1_073_741_824),
    }),
    callback: callbackSettings(env),
    callbackRetrySeconds: integer(env, 'PARLEY_CALLBACK_RETRY_SECONDS', 10, 1, 3600),
    publicUrl: publicUrl(env),
  });
}
