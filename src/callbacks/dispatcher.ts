import type { FastifyBaseLogger } from 'fastify';
import type { Apps } from '../apps.js';
import type { Clock } from '../deps.js';
import type { CallbackSettlement, ClaimedCallback, Store } from '../store/types.js';
import type { Poster } from './http.js';
import { ATTEMPT_HEADER, callbackUrl, DELIVERY_ID_HEADER } from './service.js';
import type { CallbackCommand } from './settings.js';

/** How long one after-callback attempt may take, connection to last byte of the answer. */
export const AFTER_TIMEOUT_MS = 3000;
/** Attempts in all: the first, then retries after 1, 2, 4, … 4096 times the first wait (10 s: about 22.8 hours in all). */
export const MAX_ATTEMPTS = 14;
/** Deliveries in flight at once, per process. */
export const CONCURRENCY = 16;
/** A claimed row is handed to no other process for this long; a process that died mid-delivery releases it so. */
export const LEASE_MS = AFTER_TIMEOUT_MS + 10_000;
/** How often the outbox is looked at when nothing woke the dispatcher. */
export const POLL_MS = 250;
/** Failed callbacks are listed this long, then removed (they hold message content). */
export const FAILED_KEPT_MS = 7 * 86_400_000;
const PURGE_EVERY_MS = 3_600_000;

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelayMs(attempts: number, firstRetryMs: number): number {
  return firstRetryMs * 2 ** (attempts - 1);
}

/** How the dispatcher retries. */
export interface DispatcherOptions {
  /** The wait before the first retry (PARLEY_CALLBACK_RETRY_SECONDS); later waits double. */
  readonly firstRetryMs: number;
}

/** Delivers the outbox: started with the server, stopped (after the deliveries in flight) on SIGTERM. */
export interface Dispatcher {
  /** Looks at the outbox now (rows were just committed). */
  wake(): void;
  /** Stops claiming and resolves once the deliveries in flight are settled. */
  stop(): Promise<void>;
}

interface DispatcherDeps {
  readonly store: Store;
  readonly apps: Apps;
  readonly clock: Clock;
  readonly logger: FastifyBaseLogger;
}

/**
 * Claims due rows (at most CONCURRENCY in flight), POSTs each to its app's callback URL with its
 * delivery id, and settles it: delivered (any 2xx: Tencent ignores an after-callback's answer),
 * retried later, or failed once MAX_ATTEMPTS are spent. A receiver that hangs, resets or answers
 * garbage costs one slot for at most AFTER_TIMEOUT_MS; API calls never wait for any of this.
 */
export function startDispatcher(deps: DispatcherDeps, poster: Poster, options: DispatcherOptions): Dispatcher {
  const { store, apps, clock, logger } = deps;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let claiming = false;
  let again = false;
  let storeFailing = false;
  let lastPurge = 0;

  async function deliver(row: ClaimedCallback): Promise<CallbackSettlement> {
    const now = clock.nowMs();
    const app = apps.bySdkAppId.get(row.app);
    const settings = app?.callback;
    if (settings === undefined || !settings.commands.has(row.command as CallbackCommand)) {
      return { kind: 'failed', at: now, error: `${row.command} callbacks are no longer configured for SDKAppID ${row.app}` };
    }
    const url = callbackUrl(settings, row.app, row.command, row.clientIp, now, row.deliveryId);
    const answer = await poster.post(url, row.body, { [DELIVERY_ID_HEADER]: row.deliveryId, [ATTEMPT_HEADER]: String(row.attempts) }, AFTER_TIMEOUT_MS);
    if (answer.ok && answer.status >= 200 && answer.status <= 299) return { kind: 'delivered' };
    const error = answer.ok ? `HTTP ${answer.status}` : answer.error;
    const at = clock.nowMs();
    if (row.attempts >= MAX_ATTEMPTS) return { kind: 'failed', at, error };
    return { kind: 'retry', at: at + retryDelayMs(row.attempts, options.firstRetryMs), error };
  }

  function start(row: ClaimedCallback): void {
    const run = deliver(row)
      .then((settlement) => {
        if (settlement.kind === 'failed') logger.warn({ sdkappid: row.app, command: row.command, deliveryId: row.deliveryId, attempts: row.attempts, error: settlement.error }, 'callback failed for good');
        return store.settleCallback(row.id, row.attempts, settlement);
      })
      .catch((error: unknown) => logger.error({ err: error, deliveryId: row.deliveryId }, 'callback attempt could not be recorded; it will be tried again when its lease ends'))
      .finally(() => {
        inFlight.delete(run);
        if (!stopping) void claim();
      });
    inFlight.add(run);
  }

  /** Claims as many due rows as there are free slots; one claim at a time per process. */
  async function claim(): Promise<void> {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        const free = CONCURRENCY - inFlight.size;
        if (stopping || free <= 0) return;
        const now = clock.nowMs();
        if (now - lastPurge > PURGE_EVERY_MS) {
          lastPurge = now;
          await store.purgeFailedCallbacks(now - FAILED_KEPT_MS);
        }
        const rows = await store.claimCallbacks(now, free, LEASE_MS);
        storeFailing = false;
        for (const row of rows) start(row);
        if (rows.length === free) again = true;
      } while (again && !stopping);
    } catch (error) {
      if (!storeFailing) logger.error({ err: error }, 'the callback outbox cannot be read; trying again');
      storeFailing = true;
    } finally {
      claiming = false;
    }
  }

  const timer = setInterval(() => void claim(), POLL_MS);
  timer.unref();
  void claim();

  return {
    wake() {
      if (!stopping) void claim();
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      while (claiming || inFlight.size > 0) {
        await Promise.all([...inFlight]);
        if (claiming) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
