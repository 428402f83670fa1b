import { createHash } from 'node:crypto';

/** The callback commands parley fires (facts §7, decisions §7), in Tencent's spelling. */
export const CALLBACK_COMMANDS = [
  'C2C.CallbackBeforeSendMsg',
  'C2C.CallbackAfterSendMsg',
  'C2C.CallbackAfterMsgWithDraw',
  'C2C.CallbackAfterModifyMsg',
  'Group.CallbackBeforeSendMsg',
  'Group.CallbackAfterSendMsg',
  'Group.CallbackAfterRecallMsg',
  'Group.CallbackAfterModifyMsg',
] as const;

/** One of CALLBACK_COMMANDS. */
export type CallbackCommand = (typeof CALLBACK_COMMANDS)[number];

/** What a before-send callback that cannot be had (timeout, error, garbage) means for the message. */
export type FailurePolicy = 'allow' | 'refuse';

/** One app's third-party callbacks: where they go, how they are signed, which fire. */
export interface CallbackSettings {
  /** http:// or https:// URL; Tencent's query parameters are appended to it. */
  readonly url: string;
  /** The auth token: with it, each call carries Sign and RequestTime. */
  readonly token: string | undefined;
  readonly commands: ReadonlySet<CallbackCommand>;
  /** A before-send callback that times out or fails lets the message through (`allow`, as Tencent does) or refuses it. */
  readonly onFailure: FailurePolicy;
}

/** A callback setting that cannot be used; `where` names its source (env var or apps file entry). */
export class CallbackSettingsError extends Error {}

/** Tencent's token length limit. */
const MAX_TOKEN = 128;

/** The raw values, from the environment or an apps file entry. */
export interface RawCallbackSettings {
  readonly url: unknown;
  readonly token?: unknown;
  readonly commands?: unknown;
  readonly onFailure?: unknown;
}

/** Validates callback settings; names each problem after `names` (the env vars or the file's keys). */
export function parseCallbackSettings(raw: RawCallbackSettings, names: { url: string; token: string; commands: string; onFailure: string }): CallbackSettings {
  if (typeof raw.url !== 'string' || raw.url.trim() === '') throw new CallbackSettingsError(`${names.url} must be an http:// or https:// URL`);
  let url: URL;
  try {
    url = new URL(raw.url.trim());
  } catch {
    throw new CallbackSettingsError(`${names.url}=${raw.url} is not a URL; give the app server's callback URL, e.g. https://app.example.com/im-callback`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CallbackSettingsError(`${names.url}=${raw.url} must start with http:// or https://`);
  if (url.username !== '' || url.password !== '') throw new CallbackSettingsError(`${names.url} must not carry a user name or password; use ${names.token} to authenticate calls`);
  let token: string | undefined;
  if (raw.token !== undefined && raw.token !== '') {
    if (typeof raw.token !== 'string' || raw.token.length > MAX_TOKEN || !/^[\x21-\x7e]+$/.test(raw.token)) {
      throw new CallbackSettingsError(`${names.token} must be 1 to ${MAX_TOKEN} printable ASCII characters without spaces`);
    }
    token = raw.token;
  }
  const commands = parseCommands(raw.commands, names.commands);
  const onFailure = raw.onFailure ?? 'allow';
  if (onFailure !== 'allow' && onFailure !== 'refuse') throw new CallbackSettingsError(`${names.onFailure} must be allow (let the message through, as Tencent does) or refuse`);
  return Object.freeze({ url: url.toString(), token, commands, onFailure });
}

/** A list of commands (array, or comma-separated text); absent or empty means all of them. */
function parseCommands(raw: unknown, name: string): ReadonlySet<CallbackCommand> {
  if (raw === undefined || raw === '') return new Set(CALLBACK_COMMANDS);
  const list = typeof raw === 'string' ? raw.split(',').map((c) => c.trim()).filter((c) => c !== '') : raw;
  if (!Array.isArray(list)) throw new CallbackSettingsError(`${name} must be a list of callback commands`);
  const known = new Set<string>(CALLBACK_COMMANDS);
  const commands = new Set<CallbackCommand>();
  for (const c of list) {
    if (typeof c !== 'string' || !known.has(c)) throw new CallbackSettingsError(`${name} names ${JSON.stringify(c)}, which is not one of ${CALLBACK_COMMANDS.join(', ')}`);
    commands.add(c as CallbackCommand);
  }
  return commands;
}

/** Sign = hex SHA-256 of the token followed by RequestTime (UNIX seconds, as text). */
export function callbackSign(token: string, requestTime: number): string {
  return createHash('sha256').update(`${token}${requestTime}`).digest('hex');
}
