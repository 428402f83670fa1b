import type { Database } from 'better-sqlite3';

interface PendingWrite {
  readonly op: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The longest a write that may wait (runWhenConvenient) waits for another write to commit with. */
const LATER_MS = 200;

/** More than this many writes in one commit would hold the event loop too long. */
const MAX_BATCH = 512;

/** SQLITE_BUSY and its extended codes: the lock was not had in time; the transaction never began. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Holds commits back while another connection restarts the WAL (checkpointer.ts). */
export interface CommitGate {
  paused(): boolean;
  whenResumed(resume: () => void): void;
}

/** Told of each transaction's end, before the writes in it are answered. */
export interface CommitHooks {
  committed(): void;
  rolledBack(): void;
}

/**
 * Group commit. Writes queued while the event loop is busy run together in one transaction and
 * one fsync (synchronous=FULL), and each promise resolves only after that commit: acknowledged
 * writes are durable without paying one fsync per request. If a write throws, the batch is rolled
 * back and its writes run again one transaction each, so only the failing one fails.
 *
 * Transactions begin IMMEDIATE: with several processes on one file (PARLEY_WORKERS) a transaction
 * that reads and then writes would otherwise fail with SQLITE_BUSY when another process committed
 * in between; taking the write lock first makes such transactions wait their turn instead.
 */
export class WriteQueue {
  readonly #pending: PendingWrite[] = [];
  readonly #hooks: CommitHooks | undefined;
  readonly #gate: CommitGate | undefined;
  #scheduled = false;
  /** A flush waits for the gate to open. */
  #held = false;
  /** A flush for writes that may wait (runWhenConvenient) is set for later. */
  #later: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #batch: (writes: PendingWrite[]) => unknown[];
  readonly #single: (op: () => unknown) => unknown;

  constructor(db: Database, hooks?: CommitHooks, gate?: CommitGate) {
    this.#hooks = hooks;
    this.#gate = gate;
    this.#single = db.transaction((op: () => unknown) => op()).immediate;
    this.#batch = db.transaction((writes: PendingWrite[]) => writes.map((w) => w.op())).immediate;
  }

  /** Queues a write; resolves with its result once committed to disk. */
  run<T>(op: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Queues a write that need not be durable at once (losing it in a crash is harmless): it joins
   * the next commit another write causes, or commits within LATER_MS, and costs no fsync of its own.
   */
  runWhenConvenient<T>(op: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled && this.#later === undefined) {
        // Not unref'd: the promise resolves even when nothing else keeps the process awake.
        this.#later = setTimeout(() => this.flush(), LATER_MS);
      }
    });
  }

  /** Commits everything queued now, or as soon as the gate opens. */
  flush(): void {
    if (this.#held) return;
    if (!this.#closed && this.#gate?.paused() === true) {
      // Writes queued meanwhile join this flush: no other is scheduled while it waits.
      this.#held = true;
      this.#scheduled = true;
      this.#gate.whenResumed(() => {
        this.#held = false;
        this.flush();
      });
      return;
    }
    this.#scheduled = false;
    clearTimeout(this.#later);
    this.#later = undefined;
    while (this.#pending.length > 0) {
      const writes = this.#pending.splice(0, MAX_BATCH);
      let results: unknown[];
      try {
        results = this.#batch(writes);
      } catch (error) {
        this.#hooks?.rolledBack();
        if (isBusy(error)) {
          // Another process kept the write lock past the busy timeout: nothing ran, and running
          // the writes one by one would wait that long again for each of them.
          for (const w of writes) w.reject(error);
        } else {
          this.#oneByOne(writes);
        }
        continue;
      }
      this.#hooks?.committed();
      writes.forEach((w, i) => w.resolve(results[i]));
    }
  }

  /** Runs each write in a transaction of its own, after a batch failed. */
  #oneByOne(writes: readonly PendingWrite[]): void {
    for (const w of writes) {
      let result: unknown;
      try {
        result = this.#single(w.op);
      } catch (error) {
        this.#hooks?.rolledBack();
        w.reject(error);
        continue;
      }
      this.#hooks?.committed();
      w.resolve(result);
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.#closed = true;
    this.#held = false;
    this.flush();
  }
}
