/**
 * parley/client: a small typed client of parley's event stream (docs/events.md). It connects, hands
 * each event to your handler, remembers the last offset and epoch, and reconnects by itself with
 * a growing delay, resuming where it stopped; when what was missed is gone it says so (`resync`).
 * It runs in browsers and in Node (pass the `ws` package's WebSocket where there is no global one).
 */
import { CloseCode, type ConnectedFrame, EVENTS_PATH, type EventFrame, type ServerFrame } from './protocol.js';

export * from './protocol.js';

/** An event handler property; checked like a method, so that each implementation's own event types fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the standard WebSocket API the client uses: browsers', Node 22's, or the ws package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where a stream was left: pass it back as `resume` to pick up from there. */
export interface Resume {
  readonly offset: number;
  readonly epoch: string;
}

export interface EventStreamOptions {
  /** parley's base URL, http(s)://host:port (ws(s):// works too). */
  readonly url: string;
  readonly sdkappid: number;
  readonly identifier: string;
  /** The user's UserSig, or a function that makes a fresh one, asked before every connection. */
  readonly userSig: string | (() => string | Promise<string>);
  /** The device's platform, as query_online_status reports it (default Web). */
  readonly platform?: string;
  /** Resume a stream left earlier (a saved `position()`). */
  readonly resume?: Resume;
  /** The WebSocket class; default: the global one. */
  readonly WebSocket?: WebSocketConstructor;
  /** First and longest wait before reconnecting (default 250 ms and 10 s; each failure doubles it). */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How often to send a heartbeat; a connection silent for twice this long is dropped (default 20 s; 0: never). */
  readonly pingMs?: number;
}

/** What an EventStream tells. */
export interface EventStreamHandlers {
  /** An event of the user's stream, in offset order. */
  event: (frame: EventFrame) => void;
  /** A connection was made (the first frame of each). */
  connected: (frame: ConnectedFrame) => void;
  /** Events were missed and cannot be replayed: read them from history (admin_getroammsg, group_msg_get_simple). */
  resync: (position: Resume) => void;
  /** A connection closed; another follows unless `willReconnect` is false (kicked, refused, or close()). */
  closed: (info: { readonly code: number; readonly reason: string; readonly willReconnect: boolean }) => void;
}

export interface EventStream {
  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof EventStreamHandlers>(name: K, handler: EventStreamHandlers[K]): () => void;
  /** Resolves with the Connected frame of the current connection, or of the next one. */
  connected(): Promise<ConnectedFrame>;
  /** Where the stream stands: the last frame seen. */
  position(): Resume | undefined;
  /** Closes the connection for good. */
  close(): void;
}

/** Close codes after which reconnecting cannot help. */
const FINAL = new Set<number>([CloseCode.Kicked, CloseCode.BadRequest, CloseCode.NotImported, CloseCode.Malformed, CloseCode.TooBig, CloseCode.Unsupported]);
/** The close code the client uses when the server went silent. */
const SILENT = 4000;

/** Connects to a user's event stream; see EventStreamOptions. */
export function connectEventStream(options: EventStreamOptions): EventStream {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Impl === undefined) throw new Error('no global WebSocket here: pass one, e.g. connectEventStream({ ..., WebSocket }) with `import { WebSocket } from "ws"`');
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const pingMs = options.pingMs ?? 20_000;
  const handlers: { [K in keyof EventStreamHandlers]: Set<EventStreamHandlers[K]> } = { event: new Set(), connected: new Set(), resync: new Set(), closed: new Set() };
  const emit = <K extends keyof EventStreamHandlers>(name: K, ...args: Parameters<EventStreamHandlers[K]>): void => {
    for (const h of handlers[name]) (h as (...a: Parameters<EventStreamHandlers[K]>) => void)(...args);
  };
  let position: Resume | undefined = options.resume;
  let socket: WebSocketLike | undefined;
  let current: ConnectedFrame | undefined;
  let waiting: ((frame: ConnectedFrame) => void)[] = [];
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const address = async (): Promise<string> => {
    const base = options.url.replace(/^http/, 'ws').replace(/\/$/, '');
    const sig = typeof options.userSig === 'string' ? options.userSig : await options.userSig();
    const q = new URLSearchParams({ sdkappid: String(options.sdkappid), identifier: options.identifier, usersig: sig, platform: options.platform ?? 'Web' });
    if (position !== undefined) {
      q.set('offset', String(position.offset));
      q.set('epoch', position.epoch);
    }
    return `${base}${EVENTS_PATH}?${q.toString()}`;
  };

  const onFrame = (frame: ServerFrame): void => {
    if (frame.Event === 'Stream.Pong') return;
    if (frame.Event === 'Stream.Connected') {
      failures = 0;
      current = frame;
      position = { offset: frame.Offset, epoch: frame.Epoch };
      if (frame.Resync) emit('resync', position);
      emit('connected', frame);
      const resolved = waiting;
      waiting = [];
      for (const resolve of resolved) resolve(frame);
      return;
    }
    position = { offset: frame.Offset, epoch: frame.Epoch };
    emit('event', frame);
  };

  const schedule = (): void => {
    const delay = Math.min(maxDelay, minDelay * 2 ** Math.min(failures, 16));
    failures++;
    // Jitter spreads the reconnections of many clients after a node goes away.
    timer = setTimeout(() => void open(), delay * (0.5 + Math.random() / 2));
  };

  const open = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    let url: string;
    try {
      url = await address();
    } catch {
      return schedule(); // the UserSig provider failed: try again later
    }
    if (stopped) return;
    const ws = new Impl(url);
    socket = ws;
    let heard = true;
    ws.onmessage = (event) => {
      heard = true;
      if (typeof event.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      onFrame(frame);
    };
    ws.onopen = () => {
      if (pingMs <= 0) return;
      heartbeat = setInterval(() => {
        if (!heard) return ws.close(SILENT, 'no frame from the server within two heartbeats');
        heard = false;
        ws.send('{"Event":"Ping"}');
      }, pingMs);
    };
    ws.onerror = () => undefined; // onclose follows and decides
    ws.onclose = (event) => {
      clearInterval(heartbeat);
      socket = undefined;
      current = undefined;
      const expired = event.reason.startsWith('70001') || event.code === CloseCode.UserSigExpired;
      // A refused or expired UserSig can only be fixed by a fresh one, which a provider can make.
      const fixable = typeof options.userSig === 'function' && (expired || event.code === CloseCode.Refused);
      const willReconnect = !stopped && !FINAL.has(event.code) && (fixable || (event.code !== CloseCode.Refused && !expired));
      emit('closed', { code: event.code, reason: event.reason, willReconnect });
      if (willReconnect) schedule();
      else stopped = true;
    };
  };

  void open();
  return {
    on(name, handler) {
      handlers[name].add(handler);
      return () => handlers[name].delete(handler);
    },
    connected: () => (current !== undefined ? Promise.resolve(current) : new Promise((resolve) => waiting.push(resolve))),
    position: () => position,
    close() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      socket?.close(1000, 'closed by the client');
    },
  };
}
