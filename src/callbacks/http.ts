import { EventEmitter } from 'node:events';
import type { Agent } from 'undici';

/** An answer larger than this is not read on: no receiver can make parley buffer without bound. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * An idle kept-alive connection is closed after this long, before the receiver's own idle timeout
 * (5 s in Node, 60-75 s in most others) closes it under a request being sent on it; a shorter
 * `Keep-Alive: timeout=…` from the receiver is honoured too.
 */
const IDLE_SOCKET_MS = 4000;

/** What one POST came to: an HTTP status and body, or why there was none. */
export type PostAnswer = { readonly ok: true; readonly status: number; readonly body: string } | { readonly ok: false; readonly error: string };

/** POSTs JSON to app servers over kept-alive connections, at most `maxSockets` per host at once. */
export interface Poster {
  /** Resolves within `timeoutMs` whatever the receiver does (hangs, trickles, resets); never rejects. */
  post(url: URL, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<PostAnswer>;
  close(): void;
}

/** A request's deadline, as undici reads a signal: `aborted`, then an 'abort' event. */
class Deadline extends EventEmitter {
  aborted = false;
  abort(): void {
    this.aborted = true;
    this.emit('abort');
  }
}

/** Errors of a connection that broke before anything was received: worth one more try on a new one. */
const BROKEN = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** Why a POST failed, in words for the failed-callbacks list and the logs. */
function describe(error: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no complete answer within ${timeoutMs} ms`;
  if ((error as { code?: unknown } | null)?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return `an answer over ${MAX_ANSWER_BYTES} bytes`;
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.cause?.message === 'string' && e.cause.message !== '' ? e.cause.message : typeof e?.message === 'string' ? e.message : '';
  return message !== '' ? message : String(code ?? error);
}

/**
 * A poster with connections of its own (undici: about half the CPU per request of node:http's
 * client, measured 2026-11-23), so that its connections are not shared with another poster's.
 */
export function createPoster(maxSockets: number): Poster {
  // undici is loaded with the first POST: a node that fires no callbacks does not carry it (about 19 MB).
  let agent: Agent | undefined;
  let loading: Promise<Agent> | undefined;
  const connect = async (): Promise<Agent> => {
    loading ??= import('undici').then(
      ({ Agent: UndiciAgent }) =>
        (agent = new UndiciAgent({ connections: maxSockets, keepAliveTimeout: IDLE_SOCKET_MS, keepAliveMaxTimeout: IDLE_SOCKET_MS, maxResponseSize: MAX_ANSWER_BYTES })),
    );
    return agent ?? loading;
  };
  return {
    async post(url, body, headers, timeoutMs) {
      const client = agent ?? (await connect());
      // One deadline for everything: connecting, sending, waiting and reading the answer. (An
      // emitter, which undici takes as a signal, costs a fraction of AbortSignal.timeout.)
      const deadline = new Deadline();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      const path = `${url.pathname}${url.search}`;
      for (let retried = false; ; retried = true) {
        try {
          const answer = await client.request({
            origin: url.origin,
            path,
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
            body,
            signal: deadline,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          });
          const text = await answer.body.text();
          clearTimeout(timer);
          return { ok: true, status: answer.statusCode, body: text };
        } catch (error) {
          const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code ?? (error as { code?: unknown } | null)?.code;
          // A kept-alive connection the receiver closed as it was reused: once more, on a new one.
          if (!retried && !deadline.aborted && typeof code === 'string' && BROKEN.has(code)) continue;
          clearTimeout(timer);
          return { ok: false, error: describe(error, timeoutMs, deadline.aborted) };
        }
      }
    },
    close() {
      void agent?.destroy();
    },
  };
}
