import type { Database } from 'better-sqlite3';

/** How long destroyed content may linger in the WAL before it is folded away. */
const SCRUB_DELAY_MS = 5000;

/**
 * secure_delete zeroes old content in the database file, but the WAL keeps old page images until
 * it is checkpointed and truncated. After a write that destroys content (modify, recall, destroy),
 * this folds the WAL into the database and empties it within five seconds, batching the cost over
 * every such write in that time (truncating the WAL makes the next commits grow the file again,
 * which costs each of them more, so this is not done more often).
 */
export class WalScrubber {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database) {}

  /** Folds and empties the WAL now. */
  scrubNow(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.db.open) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Asks for a scrub soon; called inside writes that destroy content. */
  request(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      try {
        this.scrubNow();
      } catch {
        // The WAL stays as it is until the next scrub or the clean stop; the data is safe either way.
        this.#timer = undefined;
      }
    }, SCRUB_DELAY_MS);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
