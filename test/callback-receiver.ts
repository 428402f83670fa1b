import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One callback as the receiver got it. */
export interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
  readonly command: string;
  /** Milliseconds since the epoch, when the body had arrived. */
  readonly at: number;
}

/** How the receiver answers one callback. */
export type Answer =
  | { readonly json: unknown; readonly status?: number }
  | { readonly raw: string; readonly status?: number }
  /** Never answer (the connection stays open until the caller gives up). */
  | 'hang'
  /** Close the connection without an answer. */
  | 'close';

/** A real app server on loopback: records every callback and answers as `answer` says. */
export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  answer: (r: Received) => Answer;
  /** Resolves once `predicate` holds for the received list, or rejects after `timeoutMs`. */
  waitFor(predicate: (received: readonly Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/** Tencent's plain success answer. */
export const OK_ANSWER: Answer = { json: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 } };

/** Starts a receiver on `port` (0: any free one). */
export async function startReceiver(port = 0): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => OK_ANSWER,
    async waitFor(predicate, timeoutMs = 15_000, what = 'the expected callbacks') {
      const until = Date.now() + timeoutMs;
      while (!predicate(receiver.received)) {
        if (Date.now() > until) throw new Error(`${what} did not arrive within ${timeoutMs} ms; got ${receiver.received.map((r) => r.command).join(', ') || 'none'}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // recorded as {}
      }
      const r: Received = { path: url.pathname, query: url.searchParams, headers: req.headers, body, command: url.searchParams.get('CallbackCommand') ?? '', at: Date.now() };
      receiver.received.push(r);
      const a = receiver.answer(r);
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      if (a === 'close') {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end('json' in a ? JSON.stringify(a.json) : a.raw);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  Object.assign(receiver, { url: `http://127.0.0.1:${actual}`, port: actual });
  return receiver;
}
