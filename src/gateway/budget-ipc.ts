import type { Cluster, Worker } from 'node:cluster';
import type { BudgetAuthority, BudgetGrant } from './budget.js';

/**
 * The frequency budget of a cluster (PARLEY_WORKERS > 1) without Redis: the primary keeps the one
 * in-process budget and serves it to its workers over the cluster's IPC channel; each worker's
 * leased limiter takes batches of calls from it as from any other BudgetAuthority.
 */

/** A worker asks for up to `want` calls of `key`. */
interface TakeMessage {
  readonly parley: 'budget.take';
  readonly id: number;
  readonly key: string;
  readonly want: number;
  readonly limit: number;
  readonly nowMs: number;
}

/** The primary's answer to the take of the same `id`: a grant, or why there is none. */
interface GrantMessage {
  readonly parley: 'budget.grant';
  readonly id: number;
  readonly granted: number;
  readonly retryAtMs: number;
  readonly error?: string;
}

/** An unanswered take fails after this long: the primary answers in microseconds when it lives. */
const TAKE_TIMEOUT_MS = 2000;

function isTake(message: unknown): message is TakeMessage {
  const m = message as Partial<TakeMessage> | null;
  return (
    typeof m === 'object' && m !== null && m.parley === 'budget.take' && typeof m.id === 'number' && typeof m.key === 'string' &&
    typeof m.want === 'number' && typeof m.limit === 'number' && typeof m.nowMs === 'number'
  );
}

function isGrant(message: unknown): message is GrantMessage {
  const m = message as Partial<GrantMessage> | null;
  return typeof m === 'object' && m !== null && m.parley === 'budget.grant' && typeof m.id === 'number';
}

/**
 * In the primary: answers its workers' takes from `authority`. Returns a function that stops
 * answering (the authority itself stays open; its owner closes it).
 */
export function serveBudgetToWorkers(cluster: Cluster, authority: BudgetAuthority): () => void {
  const answer = (worker: Worker, message: unknown): void => {
    if (!isTake(message)) return;
    const reply = (grant: Omit<GrantMessage, 'parley' | 'id'>): void => {
      // A worker that died meanwhile needs no answer.
      if (worker.isConnected()) worker.send({ parley: 'budget.grant', id: message.id, ...grant } satisfies GrantMessage, undefined, () => {});
    };
    authority.take(message.key, message.want, message.limit, message.nowMs).then(
      (grant) => reply({ granted: grant.granted, retryAtMs: grant.retryAtMs }),
      (error: unknown) => reply({ granted: 0, retryAtMs: 0, error: error instanceof Error ? error.message : String(error) }),
    );
  };
  cluster.on('message', answer);
  return () => {
    cluster.off('message', answer);
  };
}

interface Pending {
  readonly resolve: (grant: BudgetGrant) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** In a worker: the budget its primary serves (serveBudgetToWorkers), reached over `process`'s IPC channel. */
export function createIpcBudget(): BudgetAuthority {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let closed = false;

  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    if (p === undefined) return undefined;
    pending.delete(id);
    clearTimeout(p.timer);
    return p;
  };
  const failAll = (reason: string): void => {
    for (const id of [...pending.keys()]) settle(id)?.reject(new Error(reason));
  };
  const onMessage = (message: unknown): void => {
    if (!isGrant(message)) return;
    const p = settle(message.id);
    if (p === undefined) return;
    if (message.error !== undefined) p.reject(new Error(`the cluster primary's budget failed: ${message.error}`));
    else p.resolve({ granted: message.granted, retryAtMs: message.retryAtMs });
  };
  const onDisconnect = (): void => failAll('the cluster primary is gone');
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);

  return {
    take(key, want, limit, nowMs) {
      if (closed) return Promise.reject(new Error('the budget is closed'));
      if (process.send === undefined || !process.connected) return Promise.reject(new Error('this process has no cluster primary to share a budget with'));
      const id = nextId++;
      return new Promise<BudgetGrant>((resolve, reject) => {
        const timer = setTimeout(() => settle(id)?.reject(new Error(`the cluster primary did not answer a budget take within ${TAKE_TIMEOUT_MS} ms`)), TAKE_TIMEOUT_MS);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        process.send?.({ parley: 'budget.take', id, key, want, limit, nowMs } satisfies TakeMessage, undefined, undefined, (error: Error | null) => {
          if (error !== null) settle(id)?.reject(error);
        });
      });
    },
    healthy() {
      return Promise.resolve(!closed && process.connected);
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      failAll('the budget is closed');
      return Promise.resolve();
    },
  };
}
