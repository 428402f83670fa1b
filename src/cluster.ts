import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { BudgetAuthority } from './gateway/budget.js';
import { serveBudgetToWorkers } from './gateway/budget-ipc.js';

/**
 * PARLEY_WORKERS=N: N processes on one machine serve one port through node:cluster. The primary
 * serves no API itself: it forks the workers (each runs the ordinary server), replaces one that
 * dies, shares the frequency budget among them, and stops them all on SIGTERM or SIGINT.
 */

/** A worker tells the primary it serves, with everything set up (signal handlers included). */
interface ReadyMessage {
  readonly parley: 'ready';
  readonly port: number;
}

function isReady(message: unknown): message is ReadyMessage {
  const m = message as Partial<ReadyMessage> | null;
  return typeof m === 'object' && m !== null && m.parley === 'ready' && typeof m.port === 'number';
}

/** True in the primary of a cluster: PARLEY_WORKERS > 1 and this process is not one of its workers. */
export function isClusterPrimary(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

/** True in a worker forked by runPrimary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: tells the primary that this worker serves on `port`. */
export function reportReady(port: number): void {
  process.send?.({ parley: 'ready', port } satisfies ReadyMessage);
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** The budget the workers' frequency limiters share; closed when the primary stops. */
  readonly budget: BudgetAuthority;
  /** Called once, when the first `workers` workers all serve, with the port they share. */
  readonly onReady: (port: number) => void;
}

/** Workers that have not stopped this long after the signal are killed, and the primary exits 1. */
const STOP_TIMEOUT_MS = 15_000;
/** A worker that lived this long before dying is replaced at once; one that died sooner, after a growing pause. */
const HEALTHY_LIFETIME_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Runs this process as the cluster's primary until SIGTERM or SIGINT, which it forwards to every
 * worker; it exits 0 once all have stopped cleanly, 1 otherwise. A worker that exits before all
 * are ready fails the start (its own message says why); one that dies later is replaced.
 */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const stopServing = serveBudgetToWorkers(cluster, options.budget);
  const live = new Set<Worker>();
  const bornAt = new Map<Worker, number>();
  const ready = new Set<Worker>();
  const restarts = new Set<NodeJS.Timeout>();
  let announced = false;
  let stopping = false;
  let failed = false;
  let restartDelay = 0;

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    bornAt.set(worker, Date.now());
  };

  /** Logging never throws here: a closed stdout must not keep the cluster from running or stopping. */
  const note = (level: 'info' | 'warn' | 'error', fields: object, message: string): void => {
    try {
      logger[level](fields, message);
    } catch {
      // the log is gone
    }
  };

  const finish = (): void => {
    stopServing();
    void options.budget.close().finally(() => {
      note(failed ? 'error' : 'info', {}, failed ? 'stopped; some workers did not stop cleanly' : 'stopped');
      process.exit(failed ? 1 : 0);
    });
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    restarts.clear();
    note('info', { signal, workers: live.size }, 'stopping the workers');
    if (live.size === 0) {
      finish();
      return;
    }
    for (const worker of live) worker.process.kill(signal);
    setTimeout(() => {
      note('error', { workers: live.size }, `workers did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing them`);
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
  };

  cluster.on('message', (worker, message) => {
    if (!isReady(message) || announced) return;
    ready.add(worker);
    if (ready.size === options.workers) {
      announced = true;
      options.onReady(message.port);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    ready.delete(worker);
    const lived = Date.now() - (bornAt.get(worker) ?? 0);
    bornAt.delete(worker);
    if (stopping) {
      if (code !== 0 || signal !== null) failed = true;
      if (live.size === 0) finish();
      return;
    }
    if (!announced) {
      failed = true;
      note('error', { pid: worker.process.pid, code, signal }, 'a worker exited while starting; stopping the others');
      stop('SIGTERM');
      return;
    }
    restartDelay = lived >= HEALTHY_LIFETIME_MS ? 0 : Math.min(MAX_RESTART_DELAY_MS, Math.max(FIRST_RESTART_DELAY_MS, restartDelay * 2));
    note('warn', { pid: worker.process.pid, code, signal, restartInMs: restartDelay }, 'a worker exited unexpectedly; starting another');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, restartDelay);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < options.workers; i++) fork();
}
