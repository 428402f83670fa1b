import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type WebSocket, WebSocketServer } from 'ws';
import { CloseCode, EVENTS_PATH, MAX_CLIENT_FRAME_BYTES } from '../client/protocol.js';
import type { Deps } from '../deps.js';
import { nowSeconds } from '../deps.js';
import { createAuthenticator } from '../gateway/auth.js';
import { parseUserSig } from '../usersig/verify.js';
import { Connection, closeSocket } from './connection.js';
import { startDispatch } from './dispatch.js';
import type { Replay } from './types.js';
import { streamKey } from './types.js';

/** Platforms a client may name (query_online_status reports them); default Web. */
const PLATFORMS = new Set(['iPhone', 'Android', 'Web', 'PC', 'iPad', 'Mac', 'Linux', 'MiniProgram']);
/** Sockets one user may hold on one node: enough for every device, bounded against abuse. */
export const MAX_DEVICES_PER_NODE = 16;
/** Longest timer Node can set (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a connection is refused: the close code, and a reason that starts with the gateway's code when there is one. */
interface Refusal {
  readonly close: number;
  readonly code: number | undefined;
  readonly info: string;
}

/** A connection request that passed every check. */
interface Admitted {
  readonly app: number;
  readonly user: string;
  readonly platform: string;
  readonly resume: { readonly epoch: string; readonly offset: number } | undefined;
  /** When the UserSig expires (UNIX seconds). */
  readonly expiresAt: number;
}

const refuse = (close: number, code: number | undefined, info: string): Refusal => ({ close, code, info });

/**
 * Serves GET /parley/v1/events (docs/events.md): a WebSocket per device carrying its user's events,
 * resumable from an offset. Every check runs before the handshake completes; a refused request
 * still completes it, only to close at once with a code and a reason a browser can read.
 */
export function mountEventStream(app: FastifyInstance, deps: Deps): void {
  const { presence, streams } = deps.realtime;
  const settings = deps.config.events;
  const authenticate = createAuthenticator();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  const local = new Map<string, Set<Connection>>();
  const limits = { maxBufferedBytes: settings.maxBufferedBytes, maxPending: settings.retainCount };

  async function admit(url: URL): Promise<Admitted | Refusal> {
    const q = url.searchParams;
    const one = (name: string): string | undefined | null => {
      const all = q.getAll(name);
      return all.length > 1 ? null : all[0];
    };
    const sdkappid = one('sdkappid');
    if (sdkappid === undefined || sdkappid === '') return refuse(CloseCode.BadRequest, 60012, 'the sdkappid query parameter is missing');
    const target = sdkappid !== null && /^\d{1,10}$/.test(sdkappid) ? deps.apps.bySdkAppId.get(Number(sdkappid)) : undefined;
    if (target === undefined) return refuse(CloseCode.BadRequest, 60006, `SDKAppID ${sdkappid ?? '(given twice)'} is not served here`);
    const identifier = one('identifier');
    const userSig = one('usersig');
    if (identifier === undefined || identifier === '' || userSig === undefined || userSig === '') return refuse(CloseCode.BadRequest, 60004, 'the identifier and usersig query parameters are both required');
    if (identifier === null || userSig === null) return refuse(CloseCode.BadRequest, 60002, 'identifier and usersig must each be given once');
    const platform = one('platform') ?? 'Web';
    if (platform === null || !PLATFORMS.has(platform)) return refuse(CloseCode.BadRequest, 60002, `platform must be one of ${[...PLATFORMS].join(', ')}`);
    const offset = one('offset');
    const epoch = one('epoch');
    if ((offset === undefined) !== (epoch === undefined)) return refuse(CloseCode.BadRequest, 60002, 'to resume, give both offset and epoch (from the last frame seen)');
    if (offset === null || epoch === null || (offset !== undefined && !/^\d{1,15}$/.test(offset)) || (epoch !== undefined && !/^[\w-]{1,64}$/.test(epoch))) {
      return refuse(CloseCode.BadRequest, 60002, 'offset must be a whole number and epoch the Epoch of a frame, each given once');
    }
    const now = nowSeconds(deps.clock);
    const failure = authenticate(target, identifier, userSig, now);
    if (failure !== undefined) return refuse(CloseCode.Refused, failure.code, failure.reason);
    const claims = parseUserSig(userSig)?.claims;
    if (claims === undefined) return refuse(CloseCode.Refused, 70003, 'the UserSig cannot be decoded; pass it exactly as generated');
    const key = streamKey(target.sdkappid, identifier);
    const kicked = await presence.kickedAt(key);
    if (kicked !== undefined && claims.time <= kicked) return refuse(CloseCode.Refused, 70001, 'the UserSig was invalidated by im_open_login_svc/kick; generate a new one');
    if ((await deps.store.accountState(target.sdkappid, identifier)) !== 'active') return refuse(CloseCode.NotImported, 70107, `"${identifier}" is not imported (or was deleted); import it first`);
    if ((local.get(key)?.size ?? 0) >= MAX_DEVICES_PER_NODE) return refuse(CloseCode.TooManyConnections, undefined, `"${identifier}" already has ${MAX_DEVICES_PER_NODE} connections to this node`);
    const resume = offset === undefined || epoch === undefined ? undefined : { epoch, offset: Number(offset) };
    return { app: target.sdkappid, user: identifier, platform, resume, expiresAt: claims.time + claims.expire };
  }

  function accept(ws: WebSocket, socket: Duplex, admitted: Admitted): void {
    const key = streamKey(admitted.app, admitted.user);
    let expiry: NodeJS.Timeout | undefined;
    let attached = true;
    const detach = (): void => {
      if (!attached) return;
      attached = false;
      clearTimeout(expiry);
      const devices = local.get(key);
      devices?.delete(connection);
      if (devices?.size === 0) local.delete(key);
      presence.leave(key, connection.id);
    };
    const connection = new Connection(deps.ids.requestId(), key, ws, socket, limits, detach);
    let set = local.get(key);
    if (set === undefined) local.set(key, (set = new Set()));
    set.add(connection);
    expiry = setTimeout(
      () => connection.close(CloseCode.UserSigExpired, '70001 the UserSig expired; reconnect with a new one and resume'),
      Math.min(MAX_TIMER_MS, Math.max(0, admitted.expiresAt * 1000 - deps.clock.nowMs())),
    );
    expiry.unref();
    ws.on('close', detach);
    ws.on('error', () => undefined); // a broken or oversized frame: ws closes the socket itself (1009, 1002)
    ws.on('pong', () => (connection.alive = true));
    ws.on('message', (data, isBinary) => {
      connection.alive = true;
      if (isBinary) return connection.close(CloseCode.Unsupported, 'binary frames are not read; send {"Event":"Ping"} as text');
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        frame = undefined;
      }
      if (typeof frame !== 'object' || frame === null || (frame as { Event?: unknown }).Event !== 'Ping' || Object.keys(frame).length !== 1) {
        return connection.close(CloseCode.Malformed, 'malformed frame: the only frame a client sends is {"Event":"Ping"}');
      }
      ws.send('{"Event":"Stream.Pong"}');
    });
    const device = { platform: admitted.platform, connectedAt: deps.clock.nowMs() };
    const replay: Promise<Replay> = presence
      .join(key, connection.id, device)
      .then(() => (admitted.resume === undefined ? streams.position(key).then((position) => ({ kind: 'ok', position, bodies: [] }) as const) : streams.since(key, admitted.resume.epoch, admitted.resume.offset)));
    replay.then(
      (r) => connection.start(r, admitted.resume !== undefined),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'event stream: a connection could not be started');
        connection.close(1011, '70500 internal error; reconnect');
      },
    );
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://parley');
    if (url.pathname !== EVENTS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    admit(url).then(
      (admitted) =>
        wss.handleUpgrade(request, socket, head, (ws) => {
          if ('close' in admitted) closeSocket(ws, admitted.close, admitted.code === undefined ? admitted.info : `${admitted.code} ${admitted.info}`);
          else accept(ws, socket, admitted);
        }),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'event stream: a connection could not be checked');
        wss.handleUpgrade(request, socket, head, (ws) => closeSocket(ws, 1011, '70500 internal error; reconnect'));
      },
    );
  }

  const eachConnection = (visit: (c: Connection) => void): void => {
    for (const set of local.values()) for (const c of set) visit(c);
  };
  const heartbeat = setInterval(() => {
    eachConnection((c) => {
      if (!c.alive) return c.ws.terminate(); // no pong since the last ping: the peer is gone ('close' detaches it)
      c.alive = false;
      c.ws.ping();
    });
  }, settings.pingSeconds * 1000);
  heartbeat.unref();

  const stopListening = streams.listen(
    (event) => {
      const set = local.get(event.key);
      if (set !== undefined) for (const c of set) c.deliver(event);
    },
    (key) => {
      const reason = 'events may have been missed (the event store was unreachable); reconnect and resume';
      if (key === undefined) eachConnection((c) => c.close(CloseCode.Interrupted, reason));
      else for (const c of local.get(key) ?? []) c.close(CloseCode.Interrupted, reason);
    },
  );
  const stopKicks = presence.onKick((key) => {
    for (const c of local.get(key) ?? []) c.close(CloseCode.Kicked, '70001 kicked by im_open_login_svc/kick; this UserSig no longer works');
  });
  const stopDispatch = startDispatch(deps.bus, deps.store, deps.realtime, deps.logger);

  app.server.on('upgrade', onUpgrade);
  // A plain GET (no Upgrade header) is told what the URL is for.
  app.get(EVENTS_PATH, async (_request, reply) => reply.code(426).header('upgrade', 'websocket').send({ error: 'this is the event stream: connect with a WebSocket client (docs/events.md)' }));
  app.addHook('preClose', (done) => {
    app.server.off('upgrade', onUpgrade);
    clearInterval(heartbeat);
    stopDispatch();
    stopListening();
    stopKicks();
    eachConnection((c) => c.close(CloseCode.GoingAway, 'the server is stopping; reconnect and resume'));
    wss.close();
    done();
  });
}
