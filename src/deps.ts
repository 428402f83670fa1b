import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Apps } from './apps.js';
import type { EventBus } from './bus/types.js';
import type { Callbacks } from './callbacks/service.js';
import type { Config } from './config.js';
import type { RateLimiter } from './gateway/rate-limit.js';
import type { Realtime } from './realtime/types.js';
import type { Store } from './store/types.js';

/** The time source; injected so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** Sources of identifiers and random numbers; injected so tests can fix them. */
export interface Ids {
  requestId(): string;
  /** A random integer from 0 to 4294967295. */
  randomU32(): number;
}

/** A service parley depends on, named as /healthz names it when it is down. */
export interface HealthCheck {
  readonly name: string;
  healthy(): Promise<boolean>;
}

/** Everything the app needs, built in one place (server.ts, or a test) and passed down. */
export interface Deps {
  readonly config: Config;
  readonly apps: Apps;
  readonly store: Store;
  readonly bus: EventBus;
  /** The user event streams and who is connected (docs/events.md): in process, or over Redis. */
  readonly realtime: Realtime;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: FastifyBaseLogger;
  /** What /healthz checks; default: the store alone, as `store`. */
  readonly checks?: readonly HealthCheck[];
  /** Third-party callbacks (callbacks/index.ts); absent: none fire, whatever the apps configure. */
  readonly callbacks?: Callbacks;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Request ids: a random prefix per process and a counter, unique without a system call per request. */
const processPrefix = randomBytes(4).toString('hex');
let requestCounter = 0;

export const randomIds: Ids = {
  requestId: () => `${processPrefix}${(requestCounter++).toString(16).padStart(8, '0')}`,
  randomU32: () => randomInt(0x100000000),
};

/** Current time in whole UNIX seconds. */
export function nowSeconds(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}
