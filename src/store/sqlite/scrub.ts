import type { Database } from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './connection.js';

/** How long destroyed content may linger in the WAL before it is folded away. */
const SCRUB_DELAY_MS = 5000;
/** When another process kept the WAL in use, the next try comes this much later. */
const RETRY_DELAY_MS = 1000;
/**
 * How long a checkpoint waits for other processes' readers and writer. While it waits, it holds
 * back their writes too, so it gives up soon and tries again later.
 */
const CHECKPOINT_WAIT_MS = 100;

/**
 * secure_delete zeroes old content in the database file, but the WAL keeps old page images until
 * it is checkpointed and truncated. After a write that destroys content (modify, recall, destroy),
 * this folds the WAL into the database and empties it within five seconds, batching the cost over
 * every such write in that time (truncating the WAL makes the next commits grow the file again,
 * which costs each of them more, so this is not done more often).
 *
 * With several processes on one file (PARLEY_WORKERS), another process's reader or writer may
 * keep the WAL in use; the scrub then tries again a second later until it gets through.
 */
export class WalScrubber {
  #timer: NodeJS.Timeout | undefined;
  /** The checkpointer's thread, which scrubs in its place while it runs (checkpointer.ts). */
  #delegate: { readonly running: boolean; requestScrub(): void } | undefined;

  constructor(private readonly db: Database) {}

  /** Lets the checkpointer's thread scrub; requests go back to this thread's timer once it stops. */
  delegateTo(delegate: { readonly running: boolean; requestScrub(): void }): void {
    this.#delegate = delegate;
  }

  /** Folds and empties the WAL now; false when other processes kept it in use (nothing is lost). */
  scrubNow(): boolean {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.db.open) return true;
    this.db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Asks for a scrub soon; called inside writes that destroy content. */
  request(): void {
    if (this.#delegate?.running === true) this.#delegate.requestScrub();
    else this.#schedule(SCRUB_DELAY_MS);
  }

  /** Scrubs now, or as soon as other processes let it. */
  scrubOrRetry(): void {
    if (!this.scrubNow()) this.#schedule(RETRY_DELAY_MS);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.scrubOrRetry();
      } catch {
        // The WAL stays as it is until the next scrub or the clean stop; the data is safe either way.
      }
    }, delayMs);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
