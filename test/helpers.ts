import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import type { App, Apps } from '../src/apps.js';
import { createMemoryBus } from '../src/bus/memory.js';
import { openCallbacks } from '../src/callbacks/index.js';
import type { ParleyEvent } from '../src/bus/types.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Clock, type Deps, randomIds } from '../src/deps.js';
import { createMemoryRateLimiter } from '../src/gateway/rate-limit.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/types.js';
import { closeRealtime, openMemoryRealtime } from '../src/realtime/open.js';
import { openShared, type Shared } from '../src/shared.js';
import { signUserSig } from '../src/usersig/sign.js';
import { openTestPostgres } from './pg.js';

/**
 * The store the API suites run on: `sqlite` (default), or `postgres` when the runner runs them
 * again against PARLEY_TEST_DATABASE_URL (test/run.mjs sets PARLEY_TEST_STORE).
 */
export type TestStoreKind = 'sqlite' | 'postgres';

export function testStoreKind(): TestStoreKind {
  return process.env['PARLEY_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';
}

/** The app every test server serves (SDKAppID and key of the second UserSig vector). */
export const TEST_APP: App = Object.freeze({
  sdkappid: 1400123456,
  secretKey: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  admins: new Set(['administrator', 'admin2']),
});

/** A Tencent response body. */
export type Reply = { ActionStatus: string; ErrorCode: number; ErrorInfo: string } & Record<string, unknown>;

/** A clock the test can move; it starts at real time. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
  /** Stops the clock (at the given time, default now) until `unfreeze`. */
  freeze(atMs?: number): void;
  unfreeze(): void;
}

export function testClock(): TestClock {
  let offset = 0;
  let frozen: number | undefined;
  return {
    nowMs: () => (frozen ?? Date.now()) + offset,
    advance: (s) => (offset += s * 1000),
    freeze: (atMs) => (frozen = atMs ?? Date.now()),
    unfreeze: () => (frozen = undefined),
  };
}

/** Makes a fresh, empty temporary directory that is removed when the test process ends. */
export function tempDir(prefix = 'parley-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Signs a UserSig for the test app. */
export function userSig(identifier = 'administrator', options: { expire?: number; time?: number; key?: string; sdkappid?: number } = {}): string {
  return signUserSig(
    {
      sdkappid: options.sdkappid ?? TEST_APP.sdkappid,
      identifier,
      time: options.time ?? Math.floor(Date.now() / 1000),
      expire: options.expire ?? 86_400,
    },
    options.key ?? TEST_APP.secretKey,
  );
}

/** Keys under which a reply carries error codes: the envelope's, and per-item ones in lists. */
const CODE_KEYS = new Set(['ErrorCode', 'RetCode', 'ResultCode']);

/** Every error code a test sees is noted, so the runner can tell which catalog codes no test produced. */
function noteCodes(reply: unknown): void {
  const dir = process.env['PARLEY_TEST_CODES_DIR'];
  if (dir === undefined) return;
  const codes: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (CODE_KEYS.has(k) && typeof item === 'number' && item !== 0) codes.push(item);
        else walk(item);
      }
    }
  };
  walk(reply);
  if (codes.length > 0) appendFileSync(join(dir, `${process.pid}.txt`), `${codes.join('\n')}\n`);
}

export interface CallOptions {
  /** Query parameters to set (undefined removes one). */
  query?: Record<string, string | undefined>;
  /** Send this instead of JSON.stringify(body). */
  raw?: string | Buffer;
  method?: string;
  identifier?: string;
}

/** Calls a parley API over real HTTP. */
export async function callApi(baseUrl: string, api: string, body: unknown, options: CallOptions = {}): Promise<Reply> {
  const identifier = options.identifier ?? 'administrator';
  const params: Record<string, string | undefined> = {
    sdkappid: String(TEST_APP.sdkappid),
    identifier,
    usersig: userSig(identifier),
    random: String(Math.floor(Math.random() * 0xffffffff)),
    contenttype: 'json',
    ...options.query,
  };
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const method = options.method ?? 'POST';
  const response = await fetch(`${baseUrl}/v4/${api}?${query}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: options.raw ?? JSON.stringify(body) }),
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${api}`);
  const reply = (await response.json()) as Reply;
  noteCodes(reply);
  return reply;
}

export interface TestServer {
  readonly url: string;
  readonly deps: Deps;
  readonly dataDir: string;
  /** Which store serves it; `schema` is its PostgreSQL schema when that is `postgres`. */
  readonly storeKind: TestStoreKind | 'custom';
  readonly schema: string | undefined;
  /** Whether limits and events go through Redis (the PostgreSQL pass, when PARLEY_TEST_REDIS_URL is set). */
  readonly redis: boolean;
  readonly clock: TestClock;
  readonly events: ParleyEvent[];
  call(api: string, body: unknown, options?: CallOptions): Promise<Reply>;
  /** Calls and asserts success, returning the reply. */
  ok(api: string, body: unknown): Promise<Reply>;
  /** Imports accounts. */
  users(...ids: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Build the store (default: the suite's store, testStoreKind()). */
  store?: (dataDir: string) => Store | Promise<Store>;
  /** Collect the server's log lines (JSON, debug level and up) here instead of discarding them. */
  logLines?: string[];
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: Buffer; key: Buffer };
}

/** Starts parley in process on an ephemeral loopback port, with a real store in a fresh directory. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const storeKind = options.store !== undefined ? 'custom' : testStoreKind();
  // On the PostgreSQL pass, limits and events go through Redis too when it is given, each server
  // under a key prefix of its own: the deployment of several nodes, one node at a time.
  const redisUrl = storeKind === 'postgres' ? process.env['PARLEY_TEST_REDIS_URL'] : undefined;
  const redisEnv = redisUrl === undefined || redisUrl === '' ? {} : { PARLEY_REDIS_URL: redisUrl, PARLEY_REDIS_PREFIX: `parley-test-${process.pid}-${randomBytes(4).toString('hex')}` };
  const config: Config = loadConfig({ PARLEY_DATA_DIR: dataDir, PARLEY_RATE_LIMIT: '0', PARLEY_PORT: '0', ...redisEnv, ...options.env });
  // The test app takes the default app's callback settings (PARLEY_CALLBACK_* in options.env), as loadApps gives them.
  const testApp: App = config.callback === undefined ? TEST_APP : Object.freeze({ ...TEST_APP, callback: config.callback });
  const apps: Apps = { defaultApp: testApp, bySdkAppId: new Map([[testApp.sdkappid, testApp]]), generatedKey: false };
  const pgStore = storeKind === 'postgres' ? await openTestPostgres() : undefined;
  const store = pgStore ?? (await (options.store ?? openSqliteStore)(dataDir));
  const clock = testClock();
  const events: ParleyEvent[] = [];
  const logger = options.logLines === undefined ? pino({ level: 'silent' }) : pino({ level: 'debug' }, { write: (line: string) => options.logLines?.push(line) });
  const inProcess = (realtime = openMemoryRealtime(clock, config.events)): Shared => ({
    limiter: createMemoryRateLimiter(),
    bus: createMemoryBus((error) => {
      throw error;
    }),
    realtime,
    checks: [],
    ready: () => Promise.resolve(),
    close: () => closeRealtime(realtime),
  });
  const shared: Shared = config.redisUrl === undefined ? inProcess() : openShared(config, logger, clock);
  await shared.ready(5000);
  const bus = shared.bus;
  bus.subscribe((e) => events.push(e));
  const callbackRuntime = openCallbacks({ store, apps, clock, logger, strictFields: config.strictFields, firstRetrySeconds: config.callbackRetrySeconds });
  const deps: Deps = {
    config,
    apps,
    store,
    bus,
    realtime: shared.realtime,
    limiter: shared.limiter,
    clock,
    ids: randomIds,
    callbacks: callbackRuntime.callbacks,
    logger,
  };
  await store.importAccounts(TEST_APP.sdkappid, [...TEST_APP.admins].map((userId) => ({ userId })));
  const app = createApp(deps, options.tls === undefined ? {} : { tls: options.tls });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${address.port}`;
  const call = (api: string, body: unknown, o?: CallOptions) => callApi(url, api, body, o);
  let closed = false;
  return {
    url,
    deps,
    dataDir,
    storeKind,
    schema: pgStore?.schema,
    redis: config.redisUrl !== undefined,
    clock,
    events,
    call,
    async ok(api, body) {
      const reply = await call(api, body);
      if (reply.ErrorCode !== 0) throw new Error(`${api} failed: ${reply.ErrorCode} ${reply.ErrorInfo}`);
      return reply;
    },
    async users(...ids) {
      await call('im_open_login_svc/multiaccount_import', { Accounts: ids }).then((r) => {
        if (r.ErrorCode !== 0) throw new Error(`import failed: ${r.ErrorInfo}`);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await callbackRuntime.close();
      await bus.close();
      await shared.close();
      await store.close();
    },
  };
}

/** A text element. */
export function text(t: string): { MsgType: 'TIMTextElem'; MsgContent: { Text: string } }[] {
  return [{ MsgType: 'TIMTextElem', MsgContent: { Text: t } }];
}

/** Asserts a refusal: the code, FAIL, an ErrorInfo that says something, and nothing but the envelope. */
export function assertRefused(r: Reply, code: number): void {
  assert.equal(r.ErrorCode, code, `expected ${code}, got ${r.ErrorCode}: ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.equal(typeof r.ErrorInfo, 'string');
  assert.ok(r.ErrorInfo.trim().length > 0, 'ErrorInfo says what to do');
  assert.deepEqual(Object.keys(r).sort(), ['ActionStatus', 'ErrorCode', 'ErrorInfo']);
}

/** Asserts success. */
export function assertOk(r: Reply): void {
  assert.equal(r.ErrorCode, 0, `expected success, got ${r.ErrorCode}: ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'OK');
}
