import type { Database } from 'better-sqlite3';

/** A cache that other processes' writes can make wrong, with its row in the generations table. */
export type Generation = 'accounts' | 'groups';

/** Marks, inside a write transaction, that other processes' caches of `name` may be wrong. */
export function generationBump(db: Database, name: Generation): () => void {
  const bump = db.prepare('UPDATE generations SET value = value + 1 WHERE name = ?');
  return () => {
    bump.run(name);
  };
}

/**
 * Tells a cache when another process may have changed what it holds. Writes of this process keep
 * its caches right themselves; those of other processes (PARLEY_WORKERS on one file) bump the
 * generation of what they change in the same transaction, and a check before every cache look-up
 * sees every commit that finished before it.
 *
 * Measured (2 cores, 2026-11-23): any statement that reads the file costs about 2 µs, because it
 * opens a read transaction; `PRAGMA data_version` (1.8 µs) is no cheaper than reading the
 * generation's row (2.2 µs), and under writes from the other processes it changes on nearly every
 * check, so the row is read directly. A process alone on its file (`shared` false) skips the check.
 */
export function generationWatch(db: Database, name: Generation, shared: boolean): () => boolean {
  if (!shared) return () => false;
  const generation = db.prepare('SELECT value FROM generations WHERE name = ?').pluck();
  let seen = generation.get(name) as number;
  /** True when the generation moved since the last check: forget everything cached. */
  return function moved(): boolean {
    const current = generation.get(name) as number;
    if (current === seen) return false;
    seen = current;
    return true;
  };
}
