import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { nowSeconds } from '../deps.js';
import { archiveChunks, gzipped } from './archive.js';
import { HOUR_SECONDS, parseMsgTime } from './hours.js';
import { type ArchiveTicket, readTicket } from './token.js';

/** Where get_history's files are downloaded: GET {base}/parley/v1/history/{token}.gz */
export const HISTORY_PATH = '/parley/v1/history/';

/** The download URL of a signed token, under PARLEY_PUBLIC_URL or the way the caller came. */
export function downloadUrl(base: string, token: string): string {
  return `${base}${HISTORY_PATH}${token}.gz`;
}

/**
 * A download is sent only once its bytes are known to be the ones get_history measured. Up to this
 * many compressed bytes are held before the first is sent, so a file that changed since is refused
 * with a plain 410; a larger file streams, one chunk behind, and a mismatch found at its end cuts
 * the connection short of Content-Length, so no client takes a changed file for the measured one.
 */
const HOLD_BYTES = 8 * 1024 * 1024;

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send({ error });
}

/** GET /parley/v1/history/{token}.gz: the gzip file a get_history URL names, rebuilt from the store. */
export function mountHistoryDownloads(app: FastifyInstance, deps: Deps, options: { readonly holdBytes?: number } = {}): void {
  const holdBytes = options.holdBytes ?? HOLD_BYTES;
  const secretKeyOf = (sdkappid: number) => deps.apps.bySdkAppId.get(sdkappid)?.secretKey;

  app.get(`${HISTORY_PATH}:file`, { exposeHeadRoute: false }, async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    const file = request.params.file;
    const ticket = file.endsWith('.gz') ? readTicket(file.slice(0, -3), secretKeyOf) : undefined;
    const since = ticket === undefined ? undefined : parseMsgTime(ticket.hour);
    // Malformed, altered, or signed for an app not served here: nothing to tell apart for the caller.
    if (ticket === undefined || since === undefined) return refuse(reply, 404, 'no such history file; use the URL get_history returned, unaltered');
    if (nowSeconds(deps.clock) > ticket.expires) return refuse(reply, 403, 'this download URL has expired; call open_msg_svc/get_history again for a fresh one');
    try {
      return await serve(request, reply, ticket, since);
    } catch (error) {
      request.log.error({ err: error, requestId: request.id }, 'history download failed');
      if (reply.raw.headersSent) {
        reply.raw.destroy();
        return reply;
      }
      return refuse(reply, 500, `internal error (request id ${request.id}); retry, and report the id if it persists`);
    }
  });

  async function serve(request: FastifyRequest, reply: FastifyReply, ticket: ArchiveTicket, since: number): Promise<FastifyReply> {
    const source = gzipped(archiveChunks(deps.store, { app: ticket.app, chatType: ticket.chatType, since, until: since + HOUR_SECONDS }));
    const md5 = createHash('md5');
    let size = 0;
    let held: Buffer[] = [];
    let heldBytes = 0;
    /** Whether bytes went out: from then on the reply is this function's, on the raw response. */
    let started = false;
    const res = reply.raw;
    const write = async (chunks: readonly Buffer[]) => {
      if (!started) {
        started = true;
        reply.hijack();
        res.writeHead(200, headers(ticket));
      }
      for (const chunk of chunks) if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    };
    try {
      for await (const piece of source) {
        const chunk = piece as Buffer;
        md5.update(chunk);
        size += chunk.length;
        if (size > ticket.gzipSize || res.destroyed) break;
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes < holdBytes || held.length < 2) continue;
        // Everything but the newest chunk goes out: the last bytes wait for the check.
        const out = held.slice(0, -1);
        held = held.slice(-1);
        heldBytes = held[0]?.length ?? 0;
        await write(out);
      }
    } finally {
      source.destroy();
    }
    const intact = size === ticket.gzipSize && md5.digest('hex') === ticket.gzipMd5;
    if (!started) {
      if (res.destroyed) return reply;
      if (!intact) return refuse(reply, 410, 'the messages of this hour changed after get_history measured the file; call get_history again for a URL to the current file');
      return reply.code(200).headers(headers(ticket)).send(Buffer.concat(held));
    }
    if (!intact) {
      request.log.warn({ requestId: request.id, hour: ticket.hour }, 'history file changed while streaming; connection cut short');
      res.destroy();
      return reply;
    }
    await write(held);
    res.end();
    return reply;
  }
}

function headers(ticket: ArchiveTicket): Record<string, string | number> {
  return {
    'content-type': 'application/gzip',
    'content-length': ticket.gzipSize,
    'content-disposition': `attachment; filename="${ticket.app}_${ticket.chatType}_${ticket.hour}.gz"`,
    'content-md5': Buffer.from(ticket.gzipMd5, 'hex').toString('base64'),
    'cache-control': 'no-store',
  };
}
