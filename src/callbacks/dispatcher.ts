import type { FastifyBaseLogger } from 'fastify';
import type { Apps } from '../apps.js';
import type { Clock } from '../deps.js';
import type { CallbackSettlement, ClaimedCallback, LeasedCallback, SettledCallback, Store } from '../store/types.js';
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

/** Rows born claimed that wait in memory for a free slot, at most; more wait in the store for their lease to end. */
export const MAX_WAITING = 10_000;

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
  /** Rows this process wrote, born claimed, waiting for a slot (oldest at `head`). */
  let waiting: LeasedCallback[] = [];
  let head = 0;
  /** Outcomes not yet recorded: written together, once per event-loop turn. */
  let settling: { readonly settled: SettledCallback; readonly done: () => void }[] = [];
  let stopping = false;
  let claiming = false;
  let again = false;
  let storeFailing = false;
  /** The last claim took as many rows as it could: more may be due. */
  let backlog = false;
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

  /** Records the outcomes gathered in this turn, in one write. */
  function writeSettlements(): void {
    const batch = settling;
    settling = [];
    store
      .settleCallbacks(batch.map((x) => x.settled))
      .catch((error: unknown) => logger.error({ err: error, callbacks: batch.length }, 'callback attempts could not be recorded; they will be tried again when their leases end'))
      .finally(() => {
        for (const x of batch) x.done();
      });
  }

  /** Resolves once the outcome is recorded (or could not be). */
  function settle(row: ClaimedCallback, settlement: CallbackSettlement): Promise<void> {
    return new Promise((done) => {
      if (settling.push({ settled: { id: row.id, attempts: row.attempts, settlement }, done }) === 1) setImmediate(writeSettlements);
    });
  }

  function start(row: ClaimedCallback): void {
    const run = deliver(row)
      .then((settlement) => {
        if (settlement.kind === 'failed') logger.warn({ sdkappid: row.app, command: row.command, deliveryId: row.deliveryId, attempts: row.attempts, error: settlement.error }, 'callback failed for good');
        // The slot is free once the attempt is over; recording it joins the turn's other outcomes.
        const recorded = settle(row, settlement);
        track(recorded);
      })
      .catch((error: unknown) => logger.error({ err: error, deliveryId: row.deliveryId }, 'callback attempt failed unexpectedly; it will be tried again when its lease ends'))
      .finally(() => {
        inFlight.delete(run);
        if (!stopping) next();
      });
    inFlight.add(run);
  }

  /** Outcomes being recorded: stop() waits for them. */
  const recording = new Set<Promise<void>>();
  function track(p: Promise<void>): void {
    recording.add(p);
    void p.finally(() => recording.delete(p));
  }

  /** Slots held by waiting rows whose bodies are being read. */
  let reading = 0;
  const busy = (): number => inFlight.size + reading;

  /**
   * Fills free slots from the rows waiting in memory, then from the store. A row that waited is
   * sent with its body as the store now has it: a modification or recall since rewrote it there
   * (decisions §5), so waiting rows keep none of their own.
   */
  function next(): void {
    const now = clock.nowMs();
    const taken: LeasedCallback[] = [];
    while (busy() + taken.length < CONCURRENCY && head < waiting.length) {
      const row = waiting[head++] as LeasedCallback;
      // A lease about to run out may already be another process's to claim: leave it to the store.
      if (row.leasedUntil - AFTER_TIMEOUT_MS > now) taken.push(row);
    }
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    } else if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    if (taken.length > 0) {
      reading += taken.length;
      const read = store.callbackBodies(taken.map((r) => r.id)).then(
        (bodies) => {
          reading -= taken.length;
          // A row gone was settled elsewhere after its lease ran out.
          for (const row of taken) {
            const body = bodies.get(row.id);
            if (body !== undefined && !stopping) start({ ...row, body });
          }
          if (!stopping) next();
        },
        (error: unknown) => {
          reading -= taken.length;
          logger.error({ err: error, callbacks: taken.length }, 'callbacks could not be read from the outbox; they will be tried when their leases end');
        },
      );
      track(read);
    }
    // Claims find rows written by other processes, retries and leases run out: the poll looks for
    // them, and a claim that came back full looks again as soon as a slot frees.
    if (backlog && busy() < CONCURRENCY) void claim();
  }

  /** Rows this process just committed, born claimed: delivered without a claim. */
  function offer(rows: readonly LeasedCallback[]): void {
    if (stopping) return; // their leases run out and another start claims them
    for (const row of rows) {
      // Just committed, its body is its message as it is: sent at once when a slot is free.
      if (busy() < CONCURRENCY && head === waiting.length) start(row);
      else if (waiting.length - head < MAX_WAITING) waiting.push({ ...row, body: '' });
      // More wait in the store for their leases to end.
    }
  }
  store.onCallbacksCommitted(offer);

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
        const free = CONCURRENCY - busy();
        if (stopping || free <= 0) return;
        const now = clock.nowMs();
        if (now - lastPurge > PURGE_EVERY_MS) {
          lastPurge = now;
          await store.purgeFailedCallbacks(now - FAILED_KEPT_MS);
        }
        const rows = await store.claimCallbacks(now, free, LEASE_MS);
        storeFailing = false;
        for (const row of rows) start(row);
        backlog = rows.length === free;
        if (backlog) again = true;
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
      while (claiming || inFlight.size > 0 || recording.size > 0) {
        await Promise.all([...inFlight, ...recording]);
        if (claiming) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
