import type { Database, Transaction } from 'better-sqlite3';

interface PendingWrite {
  readonly op: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** More than this many writes in one commit would hold the event loop too long. */
const MAX_BATCH = 512;

/**
 * Group commit. Writes queued while the event loop is busy run together in one transaction and
 * one fsync (synchronous=FULL), and each promise resolves only after that commit: acknowledged
 * writes are durable without paying one fsync per request. If a write throws, the batch is rolled
 * back and its writes run again one transaction each, so only the failing one fails.
 */
export class WriteQueue {
  readonly #pending: PendingWrite[] = [];
  #scheduled = false;
  #closed = false;
  readonly #batch: Transaction<(writes: PendingWrite[]) => unknown[]>;
  readonly #single: Transaction<(op: () => unknown) => unknown>;

  constructor(db: Database) {
    this.#single = db.transaction((op: () => unknown) => op());
    this.#batch = db.transaction((writes: PendingWrite[]) => writes.map((w) => w.op()));
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

  /** Commits everything queued now. */
  flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const writes = this.#pending.splice(0, MAX_BATCH);
      let results: unknown[];
      try {
        results = this.#batch(writes);
      } catch {
        this.#oneByOne(writes);
        continue;
      }
      writes.forEach((w, i) => w.resolve(results[i]));
    }
  }

  /** Runs each write in a transaction of its own, after a batch failed. */
  #oneByOne(writes: readonly PendingWrite[]): void {
    for (const w of writes) {
      try {
        w.resolve(this.#single(w.op));
      } catch (error) {
        w.reject(error);
      }
    }
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
