import type { BudgetAuthority, BudgetGrant } from './budget.js';

/** The rolling window of the frequency limit (decisions.md §2). */
export const WINDOW_MS = 1000;

/** The grants of one key still in the window, oldest first, and their total. */
interface GrantLog {
  readonly times: number[];
  readonly counts: number[];
  /** Index of the oldest grant still kept; entries before it are spent and compacted away in bulk. */
  head: number;
  sum: number;
  /** The latest time this key was asked at: the log's clock, which never runs backwards. */
  latestMs: number;
}

/**
 * The in-process budget: an exact sliding log of grants per key. Callers' clocks may arrive out
 * of order (workers over IPC); a grant is never logged earlier than the latest one, so the log stays
 * sorted and a late-arriving caller's grant counts a little longer, never shorter.
 */
export function createMemoryBudget(): BudgetAuthority {
  const logs = new Map<string, GrantLog>();
  let sweepAt = 1024;

  /** Forgets keys with nothing left in the window; the map grows with active keys only. */
  function sweep(nowMs: number): void {
    for (const [key, log] of logs) {
      if (log.latestMs <= nowMs - WINDOW_MS) logs.delete(key);
    }
    sweepAt = Math.max(1024, logs.size * 2);
  }

  return {
    take(key, want, limit, nowMs) {
      let log = logs.get(key);
      if (log === undefined) {
        if (logs.size >= sweepAt) sweep(nowMs);
        log = { times: [], counts: [], head: 0, sum: 0, latestMs: nowMs };
        logs.set(key, log);
      }
      const now = Math.max(nowMs, log.latestMs);
      log.latestMs = now;
      forgetBefore(log, now - WINDOW_MS);
      const granted = Math.max(0, Math.min(Math.floor(want), limit - log.sum));
      if (granted > 0) {
        log.times.push(now);
        log.counts.push(granted);
        log.sum += granted;
      }
      const grant: BudgetGrant = { granted, retryAtMs: log.sum < limit ? now : freedAt(log, limit) };
      return Promise.resolve(grant);
    },
    healthy: () => Promise.resolve(true),
    close() {
      logs.clear();
      return Promise.resolve();
    },
  };
}

/** Drops the grants made at or before `cutoffMs`: they have left the window. */
function forgetBefore(log: GrantLog, cutoffMs: number): void {
  while (log.head < log.times.length && (log.times[log.head] ?? Infinity) <= cutoffMs) {
    log.sum -= log.counts[log.head] ?? 0;
    log.head++;
  }
  // Compacting only once half the arrays are spent keeps each take O(1) amortized.
  if (log.head > 64 && log.head * 2 > log.times.length) {
    log.times.splice(0, log.head);
    log.counts.splice(0, log.head);
    log.head = 0;
  }
}

/** When enough grants will have left the window for one more call to fit under `limit`. */
function freedAt(log: GrantLog, limit: number): number {
  const excess = log.sum - limit + 1;
  let freed = 0;
  for (let i = log.head; i < log.times.length; i++) {
    freed += log.counts[i] ?? 0;
    if (freed >= excess) return (log.times[i] ?? 0) + WINDOW_MS;
  }
  // Unreachable while limit >= 1: forgetting every grant frees the whole sum.
  return log.latestMs + WINDOW_MS;
}
