import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** An answer larger than this is not read on: no receiver can make parley buffer without bound. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * An idle kept-alive connection is closed after this long, before the receiver's own idle timeout
 * (5 s in Node, 60-75 s in most others) closes it under a request being sent on it.
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

/** A poster with agents of its own, so that its connections are not shared with another poster's. */
export function createPoster(maxSockets: number): Poster {
  const http = new HttpAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
  const https = new HttpsAgent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
  return {
    post(url, body, headers, timeoutMs) {
      return new Promise<PostAnswer>((resolve) => {
        const payload = Buffer.from(body, 'utf8');
        const options = {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) },
        };
        let settled = false;
        let req: ClientRequest | undefined;
        // One deadline for everything: connecting, sending, waiting and reading the answer.
        const deadline = setTimeout(() => {
          finish({ ok: false, error: `no complete answer within ${timeoutMs} ms` });
          req?.destroy();
        }, timeoutMs);
        function finish(answer: PostAnswer): void {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve(answer);
        }
        const onResponse = (res: IncomingMessage): void => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              req?.destroy();
              finish({ ok: false, error: `HTTP ${res.statusCode ?? 0} with an answer over ${MAX_ANSWER_BYTES} bytes` });
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (error) => finish({ ok: false, error: `the answer broke off: ${error.message}` }));
          res.on('aborted', () => finish({ ok: false, error: 'the answer broke off' }));
        };
        const send = (retried: boolean): void => {
          const r = url.protocol === 'https:' ? httpsRequest(url, { ...options, agent: https }, onResponse) : httpRequest(url, { ...options, agent: http }, onResponse);
          req = r;
          r.on('timeout', () => undefined); // an in-use socket's idle timer: the deadline above decides
          r.on('error', (error: NodeJS.ErrnoException) => {
            // A kept-alive connection the receiver closed as it was reused: nothing was received; once more on a new one.
            if (!retried && !settled && r.reusedSocket && error.code === 'ECONNRESET') {
              send(true);
              return;
            }
            finish({ ok: false, error: error.message === '' ? String(error.code) : error.message });
          });
          r.end(payload);
        };
        send(false);
      });
    },
    close() {
      http.destroy();
      https.destroy();
    },
  };
}
