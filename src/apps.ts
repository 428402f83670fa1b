import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CallbackSettings, CallbackSettingsError, parseCallbackSettings } from './callbacks/settings.js';
import { type Config, ConfigError } from './config.js';
import { ensurePrivateDir, makePrivate } from './data-dir.js';
import { isUserId } from './domain/user-id.js';

/** One app served by parley: its SDKAppID, secret key and admin identifiers. */
export interface App {
  readonly sdkappid: number;
  readonly secretKey: string;
  readonly admins: ReadonlySet<string>;
  /** Its third-party callbacks (PARLEY_CALLBACK_* for the default app, `callback` in PARLEY_APPS_FILE); absent: none. */
  readonly callback?: CallbackSettings;
}

/** The apps parley serves, the default one first. */
export interface Apps {
  readonly defaultApp: App;
  readonly bySdkAppId: ReadonlyMap<number, App>;
  /** True when this start generated the default app's secret key (it is printed only then). */
  readonly generatedKey: boolean;
}

/** Where the generated default app is kept, inside the data directory. */
export const APP_FILE = 'app.json';

/** An apps file entry's `callback`: {"url", "token", "commands", "onFailure"}. */
function fileCallback(raw: unknown, where: string): CallbackSettings | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where}: callback must be an object {"url": …, "token": …, "commands": […], "onFailure": "allow"}`);
  const c = raw as Record<string, unknown>;
  try {
    return parseCallbackSettings(
      { url: c['url'], token: c['token'], commands: c['commands'], onFailure: c['onFailure'] },
      { url: `${where}: callback.url`, token: `${where}: callback.token`, commands: `${where}: callback.commands`, onFailure: `${where}: callback.onFailure` },
    );
  } catch (error) {
    if (error instanceof CallbackSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function makeApp(sdkappid: unknown, secretKey: unknown, admins: unknown, where: string, callback?: CallbackSettings): App {
  if (!Number.isSafeInteger(sdkappid) || (sdkappid as number) < 1 || (sdkappid as number) > 0xffffffff) {
    throw new ConfigError(`${where}: sdkappid must be a whole number from 1 to 4294967295`);
  }
  if (typeof secretKey !== 'string' || secretKey.length === 0) throw new ConfigError(`${where}: secretKey must be a non-empty string`);
  if (!Array.isArray(admins) || admins.length === 0 || !admins.every(isUserId)) {
    throw new ConfigError(`${where}: admins must be a non-empty list of UserIDs (1-32 printable ASCII bytes, no spaces)`);
  }
  return Object.freeze({ sdkappid: sdkappid as number, secretKey, admins: new Set(admins as string[]), ...(callback === undefined ? {} : { callback }) });
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${path} cannot be read as JSON: ${(error as Error).message}`);
  }
}

/**
 * Resolves the default app from the environment, generating and persisting (mode 0600) whatever
 * the environment leaves out, plus any apps listed in PARLEY_APPS_FILE.
 */
export function loadApps(config: Config): Apps {
  ensurePrivateDir(config.dataDir);
  const path = join(config.dataDir, APP_FILE);
  // It holds the secret key: a file left with a looser mode becomes the owner's alone before use.
  makePrivate(path);
  const saved = (readJson(path) ?? {}) as { sdkappid?: unknown; secretKey?: unknown };
  const sdkappid = config.sdkappid ?? (typeof saved.sdkappid === 'number' ? saved.sdkappid : 1_400_000_000 + randomInt(100_000_000));
  let generatedKey = false;
  let secretKey = config.secretKey ?? (typeof saved.secretKey === 'string' ? saved.secretKey : undefined);
  if (secretKey === undefined) {
    secretKey = randomBytes(32).toString('hex');
    generatedKey = true;
  }
  if (saved.sdkappid !== sdkappid || saved.secretKey !== secretKey) {
    writeFileSync(path, `${JSON.stringify({ sdkappid, secretKey }, null, 2)}\n`, { mode: 0o600 });
    makePrivate(path); // a umask may have taken the owner's write access
  }
  const defaultApp = makeApp(sdkappid, secretKey, [...config.admins], 'default app (PARLEY_SDKAPPID, PARLEY_SECRET_KEY, PARLEY_ADMINS)', config.callback);
  const bySdkAppId = new Map<number, App>([[defaultApp.sdkappid, defaultApp]]);
  if (config.appsFile !== undefined) {
    const listed = readJson(config.appsFile);
    if (listed === undefined) throw new ConfigError(`PARLEY_APPS_FILE ${config.appsFile} does not exist`);
    const entries = Array.isArray(listed) ? listed : (listed as { apps?: unknown }).apps;
    if (!Array.isArray(entries)) throw new ConfigError(`${config.appsFile}: expected a list of apps, or {"apps": [...]}`);
    entries.forEach((e: { sdkappid?: unknown; secretKey?: unknown; admins?: unknown; callback?: unknown }, i) => {
      const where = `${config.appsFile} app #${i + 1}`;
      const app = makeApp(e?.sdkappid, e?.secretKey, e?.admins ?? ['administrator'], where, fileCallback(e?.callback, where));
      if (bySdkAppId.has(app.sdkappid)) throw new ConfigError(`${config.appsFile}: SDKAppID ${app.sdkappid} is listed twice`);
      bySdkAppId.set(app.sdkappid, app);
    });
  }
  return { defaultApp, bySdkAppId, generatedKey };
}
