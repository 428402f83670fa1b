import type { FastifyBaseLogger } from 'fastify';
import type { Apps } from '../apps.js';
import type { Clock } from '../deps.js';
import type { Store } from '../store/types.js';
import { CONCURRENCY, type Dispatcher, LEASE_MS, startDispatcher } from './dispatcher.js';
import { createPoster } from './http.js';
import { type Callbacks, createCallbacks } from './service.js';

/** Third-party callbacks of one process: the service handlers use, and the outbox dispatcher. */
export interface CallbackRuntime {
  readonly callbacks: Callbacks;
  /** Stops the dispatcher after its deliveries in flight, and closes the connections to app servers. */
  close(): Promise<void>;
}

/** Before-send calls at once per app server host; each waits at most 2 s, so this bounds sockets, not calls. */
const BEFORE_SOCKETS = 256;

/**
 * Starts what the configured apps need. With no app configured for callbacks nothing is started
 * and rows left in the outbox by an earlier configuration wait for one.
 */
export function openCallbacks(deps: { readonly store: Store; readonly apps: Apps; readonly clock: Clock; readonly logger: FastifyBaseLogger; readonly strictFields: boolean; readonly firstRetrySeconds: number }): CallbackRuntime {
  const configured = [...deps.apps.bySdkAppId.values()].some((app) => app.callback !== undefined);
  const beforePoster = createPoster(BEFORE_SOCKETS);
  // Deliveries get connections of their own: a hanging receiver of after-callbacks cannot take the
  // sockets a before-send call (and so an API call) needs.
  const afterPoster = createPoster(CONCURRENCY);
  const dispatcher: Dispatcher | undefined = configured ? startDispatcher(deps, afterPoster, { firstRetryMs: deps.firstRetrySeconds * 1000 }) : undefined;
  const callbacks = createCallbacks({ poster: beforePoster, clock: deps.clock, logger: deps.logger, strictFields: deps.strictFields, leaseMs: LEASE_MS });
  return {
    callbacks,
    async close() {
      await dispatcher?.stop();
      beforePoster.close();
      afterPoster.close();
    },
  };
}
