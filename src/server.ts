import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { pino } from 'pino';
import { createApp, type ServeOptions } from './app.js';
import { openCallbacks } from './callbacks/index.js';
import { type Apps, loadApps } from './apps.js';
import { isClusterPrimary, isClusterWorker, reportReady, runPrimary } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Deps, randomIds, systemClock } from './deps.js';
import { createMemoryBudget } from './gateway/budget-memory.js';
import { openShared } from './shared.js';
import { openConfiguredStore } from './store/open.js';
import { openSqliteStore } from './store/sqlite/index.js';
import { signUserSig } from './usersig/sign.js';

/** The admin UserSig printed in the banner is valid this long. */
const BANNER_SIG_SECONDS = 180 * 86_400;

function banner(config: Config, apps: Apps, address: string): string {
  const app = apps.defaultApp;
  const admin = [...app.admins][0] ?? 'administrator';
  const userSig = signUserSig({ sdkappid: app.sdkappid, identifier: admin, time: Math.floor(Date.now() / 1000), expire: BANNER_SIG_SECONDS }, app.secretKey);
  const query = `sdkappid=${app.sdkappid}&identifier=${encodeURIComponent(admin)}&usersig=${userSig}&random=1&contenttype=json`;
  const lines = [
    `parley listening on ${address}`,
    `  SDKAppID   ${app.sdkappid}`,
    `  admin      ${admin}`,
    `  UserSig    ${userSig}`,
    `             (for ${admin}, valid 180 days)`,
  ];
  if (apps.generatedKey) {
    lines.push(`  secret key ${app.secretKey}`, `             (generated now and kept in ${config.dataDir}/app.json; printed only this once)`);
  }
  if (apps.bySdkAppId.size > 1) lines.push(`  also serving SDKAppIDs ${[...apps.bySdkAppId.keys()].filter((id) => id !== app.sdkappid).join(', ')}`);
  lines.push(
    'Try:',
    `  curl -s${config.tls === undefined ? '' : ` --cacert '${config.tls.certFile}'`} -X POST '${address}/v4/im_open_login_svc/account_check?${query}' -d '{"CheckItem":[{"UserID":"${admin}"}]}'`,
    '',
  );
  return lines.join('\n');
}

function displayAddress(host: string, port: number, scheme: 'http' | 'https'): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${port}`;
}

/** Reads the PEM files named by PARLEY_TLS_CERT and PARLEY_TLS_KEY. */
function serveOptions(config: Config): ServeOptions {
  if (config.tls === undefined) return {};
  const read = (name: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`${name}=${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const tls = { cert: read('PARLEY_TLS_CERT', config.tls.certFile), key: read('PARLEY_TLS_KEY', config.tls.keyFile) };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new ConfigError(`PARLEY_TLS_CERT and PARLEY_TLS_KEY are not a PEM certificate and its key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { tls };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  // A closed stdout (a pipe whose reader went away) must neither crash parley nor stop its
  // shutdown. Logs go through process.stdout: pino's own file destination retries a failed write
  // forever when it flushes at exit, so parley would never exit after its stdout closed.
  process.stdout.on('error', () => {});
  const serve = serveOptions(config);
  const logger = pino({ level: config.logLevel, redact: ['req.query.usersig', 'usersig', 'err.rawPacket', 'rawPacket'] }, process.stdout);
  const apps = loadApps(config);
  if (isClusterPrimary(config.workers)) {
    // Done once here rather than raced by the workers: app.json (above), the schema, crash recovery.
    if (config.databaseUrl === undefined) await openSqliteStore(config.dataDir).close();
    const address = (port: number) => displayAddress(config.host, port, serve.tls === undefined ? 'http' : 'https');
    runPrimary({ workers: config.workers, logger, budget: createMemoryBudget(), onReady: (port) => process.stdout.write(banner(config, apps, address(port))) });
    return;
  }
  const { store, check } = await openConfiguredStore(config, { shared: config.workers > 1 });
  const shared = openShared(config, logger);
  // Listen once Redis answers (or after 5 s without it: /healthz then says what is down).
  await shared.ready(5000);
  // Third-party callbacks: the outbox dispatcher starts here and stops (after its deliveries in flight) on SIGTERM.
  const callbackRuntime = openCallbacks({ store, apps, clock: systemClock, logger, strictFields: config.strictFields, firstRetrySeconds: config.callbackRetrySeconds });
  const deps: Deps = {
    config,
    apps,
    store,
    checks: [check, ...shared.checks],
    bus: shared.bus,
    realtime: shared.realtime,
    limiter: shared.limiter,
    clock: systemClock,
    ids: randomIds,
    logger,
    callbacks: callbackRuntime.callbacks,
  };
  // Admin identifiers are accounts too: they send when From_Account is left out.
  for (const app of apps.bySdkAppId.values()) {
    await store.importAccounts(app.sdkappid, [...app.admins].map((userId) => ({ userId })));
  }
  const app = createApp(deps, serve);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;

  let stopping = false;
  /** Logging on the way out never throws: nothing may keep parley from stopping. */
  const note = (level: 'info' | 'error', message: string, fields: object = {}) => {
    try {
      logger[level](fields, message);
    } catch {
      // the log is gone; stopping matters more
    }
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => {
      note('error', 'in-flight requests did not finish within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    forced.unref();
    note('info', 'stopping: finishing in-flight requests', { signal });
    app
      .close()
      .then(() => callbackRuntime.close())
      .then(() => shared.close())
      .then(() => store.close())
      .then(() => {
        note('info', 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        note('error', 'failed to stop cleanly', { err: error });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Printed last: whoever waits for the banner may signal parley at once. In a cluster, the
  // primary prints it once every worker has reported this point.
  if (isClusterWorker()) reportReady(port);
  else process.stdout.write(banner(config, apps, displayAddress(config.host, port, serve.tls === undefined ? 'http' : 'https')));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`parley: ${error.message}\n`);
  else process.stderr.write(`parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
