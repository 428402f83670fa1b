import { WebSocket } from 'ws';
import { connectEventStream, EVENTS_PATH, type EventFrame, type EventStream, type EventStreamOptions, type Resume } from '../src/client/index.js';
import { TEST_APP, userSig } from './helpers.js';

// Real WebSocket clients of the event stream for the tests: the package's own client (parley/client)
// and a bare socket that shows exactly what the server sent and how it closed.

/** Resolves once `check` holds, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A user's device on the stream through parley/client, with every event it got. */
export interface Watcher {
  readonly stream: EventStream;
  readonly events: EventFrame[];
  readonly closes: { code: number; reason: string; willReconnect: boolean }[];
  readonly resyncs: Resume[];
  /** Waits until `count` events arrived (or a matching one, with `match`). */
  wait(count: number, match?: (e: EventFrame) => boolean): Promise<EventFrame[]>;
}

/** Connects `user` to the server at `url` and waits for its Connected frame. */
export async function watch(url: string, user: string, options: Partial<EventStreamOptions> = {}): Promise<Watcher> {
  const stream = connectEventStream({ url, sdkappid: TEST_APP.sdkappid, identifier: user, userSig: userSig(user), WebSocket, minDelayMs: 20, maxDelayMs: 200, ...options });
  const events: EventFrame[] = [];
  const closes: Watcher['closes'] = [];
  const resyncs: Resume[] = [];
  stream.on('event', (e) => events.push(e));
  stream.on('closed', (c) => closes.push(c));
  stream.on('resync', (p) => resyncs.push(p));
  await Promise.race([stream.connected(), new Promise((_, reject) => setTimeout(() => reject(new Error(`${user} did not connect`)), 5000))]);
  return {
    stream,
    events,
    closes,
    resyncs,
    async wait(count, match) {
      const matching = () => (match === undefined ? events : events.filter(match));
      await eventually(() => matching().length >= count, `${count} events for ${user} (have ${JSON.stringify(matching().map((e) => e.Event))})`);
      return matching();
    },
  };
}

/** A bare socket: every text frame as sent, and how it closed. */
export interface RawSocket {
  readonly ws: WebSocket;
  readonly frames: string[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** The URL of the stream with these query parameters (undefined drops one). */
export function streamUrl(base: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  return `${base.replace(/^http/, 'ws')}${EVENTS_PATH}?${q.toString()}`;
}

/** The query of a valid connection of `user`. */
export function userQuery(user: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { sdkappid: String(TEST_APP.sdkappid), identifier: user, usersig: userSig(user), ...extra };
}

/** Opens a bare socket. */
export function rawSocket(base: string, query: Record<string, string | undefined>, options: { autoPong?: boolean } = {}): RawSocket {
  const ws = new WebSocket(streamUrl(base, query), { autoPong: options.autoPong ?? true });
  const frames: string[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) frames.push(data.toString());
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, frames, closed };
}
