import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';

/** Where a process reports its own load: GET /parley/v1/stats */
export const STATS_PATH = '/parley/v1/stats';

/** What GET /parley/v1/stats answers: this process's event loop, uptime and memory, nothing of its data. */
export interface ProcessStats {
  readonly eventLoop: { readonly idleMs: number; readonly activeMs: number };
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number };
}

/** Reads this process's figures; the event-loop times are cumulative since it started. */
export function processStats(): ProcessStats {
  const { idle, active } = performance.eventLoopUtilization();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { eventLoop: { idleMs: idle, activeMs: active }, pid: process.pid, uptimeSeconds: process.uptime(), memory: { rss, heapUsed, heapTotal, external } };
}

/**
 * GET /parley/v1/stats: read-only figures of the process that answers (with several workers, of
 * whichever worker took the connection), so a benchmark can tell how busy its event loop was
 * between two readings. It names no account, message or setting, so it needs no UserSig.
 */
export function mountStats(app: FastifyInstance): void {
  app.get(STATS_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').send(processStats()));
}
