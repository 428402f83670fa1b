import type { BudgetAuthority, BudgetGrant } from './budget.js';
import { WINDOW_MS } from './budget-memory.js';
import type { RateLimiter } from './rate-limit.js';

/** Tuning of the leased limiter; the defaults hold two to three nodes within ±5% of the limit. */
export interface LeasedRateLimiterOptions {
  /** How long leased calls stay spendable after their grant (default 100 ms). */
  readonly leaseMs?: number;
  /** The largest batch taken ahead of demand, as a fraction of the limit (default 0.01, at least 1 call). */
  readonly batchFraction?: number;
  /** Keys remembered at most (default 10 000); past that, idle keys are forgotten first. */
  readonly maxKeys?: number;
}

interface Waiter {
  readonly nowMs: number;
  readonly resolve: (allowed: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** One key's local share of the budget. */
interface KeyState {
  readonly limit: number;
  /** The older lease: calls left and when they lapse. */
  tokens: number;
  expiresAtMs: number;
  /** A newer lease (taken ahead of demand), spent once the older one is gone. */
  nextTokens: number;
  nextExpiresAtMs: number;
  /** Calls last taken ahead of demand; the next batch is taken once fewer than half of it are left. */
  batch: number;
  /** Calls asked for since the last take began, and when it began: the demand that sizes the next batch. */
  demand: number;
  demandSinceMs: number;
  /** Until then the authority has nothing left for this key, for any node. */
  refusedUntilMs: number;
  /** Whether a take is under way; calls without a local token wait for it. */
  taking: boolean;
  readonly waiters: Waiter[];
}

/**
 * A frequency limiter shared by many nodes through a BudgetAuthority, without a round trip on a
 * call's path. Each node leases a batch of calls at a time and spends them locally:
 *
 * - A call with a local token is answered at once, with a plain boolean.
 * - When its stock runs low, a node takes the next batch ahead of demand: half of what its recent
 *   rate would spend in one lease, at most `batchFraction` of the limit, and none for a key too slow
 *   to spend two calls in a lease. One take per key is in flight; calls without a token wait for it
 *   and are asked for in the next take, so a burst takes exactly what it needs.
 * - A lease lapses `leaseMs` after its grant: a call counted by the authority at t is made by
 *   t + leaseMs, so the authority's window and the real one stay within `leaseMs` of each other.
 *   What a node may spend beyond the limit in any real second is bounded by what it held unspent
 *   when that second began: at most about 1.5 batches, 1.5% of the limit by default.
 * - A refusal is remembered until the authority's `retryAtMs`: over the limit, calls cost nothing.
 * - When the authority fails (Redis down) and no local token remains, allow() rejects; the gateway
 *   answers with the family's internal-error code.
 *
 * Owns the authority: close() closes it.
 */
export function createLeasedRateLimiter(authority: BudgetAuthority, options: LeasedRateLimiterOptions = {}): RateLimiter {
  const leaseMs = options.leaseMs ?? 100;
  const batchFraction = options.batchFraction ?? 0.01;
  const maxKeys = options.maxKeys ?? 10_000;
  const states = new Map<string, KeyState>();

  function stateOf(key: string, limit: number, nowMs: number): KeyState {
    const known = states.get(key);
    if (known !== undefined && known.limit === limit) return known;
    if (known === undefined && states.size >= maxKeys) forgetIdle(nowMs);
    // A key's first call finds no history, as if it were the only call in a window: no batch ahead.
    const state: KeyState = {
      limit,
      tokens: 0,
      expiresAtMs: 0,
      nextTokens: 0,
      nextExpiresAtMs: 0,
      batch: 0,
      demand: 0,
      demandSinceMs: nowMs - WINDOW_MS,
      refusedUntilMs: 0,
      taking: false,
      waiters: [],
    };
    states.set(key, state);
    return state;
  }

  /** Keeps memory bounded: drops keys with nothing to spend or await, then the oldest if need be. */
  function forgetIdle(nowMs: number): void {
    for (const [key, s] of states) {
      if (!s.taking && nowMs >= s.expiresAtMs && nowMs >= s.nextExpiresAtMs && nowMs >= s.refusedUntilMs) states.delete(key);
    }
    // A key dropped with a take under way still answers its waiters; its lease is merely lost.
    for (const key of states.keys()) {
      if (states.size < maxKeys * 0.9) break;
      states.delete(key);
    }
  }

  /**
   * The batch to take ahead of demand: half of the calls the recent rate will ask for within one
   * lease, so that a batch is spent well before it lapses; none when fewer than two calls are due
   * in a lease (a slow key takes one call at a time rather than leasing calls that would lapse).
   */
  function batchFor(s: KeyState, nowMs: number): number {
    const due = (s.demand * leaseMs) / Math.max(1, nowMs - s.demandSinceMs);
    return due < 2 ? 0 : Math.min(Math.max(1, Math.floor(s.limit * batchFraction)), Math.floor(due / 2));
  }

  /** Asks the authority for the waiting calls and `batch` more; the one take of this key under way. */
  function take(key: string, s: KeyState, nowMs: number, batch: number): void {
    s.batch = batch;
    s.demand = 0;
    s.demandSinceMs = nowMs;
    const want = Math.min(s.limit, s.waiters.length + s.batch);
    s.taking = true;
    authority.take(key, want, s.limit, nowMs).then(
      (grant) => {
        s.taking = false;
        receive(s, grant, nowMs);
        settle(key, s);
      },
      (error: unknown) => {
        s.taking = false;
        for (const waiter of s.waiters.splice(0)) waiter.reject(error);
      },
    );
  }

  function receive(s: KeyState, grant: BudgetGrant, takenAtMs: number): void {
    // A refusal holds past the take's own time (so the calls it answered are refused, not asked
    // again) and never beyond one window, whatever the authority's clock says.
    const refusedAtLeastUntil = grant.granted > 0 ? 0 : takenAtMs + 1;
    s.refusedUntilMs = Math.min(Math.max(grant.retryAtMs, refusedAtLeastUntil), takenAtMs + WINDOW_MS);
    if (grant.granted <= 0) return;
    // The older lease, if still alive, is spent first; the new one waits in the second slot.
    if (s.tokens > 0 && takenAtMs < s.expiresAtMs) {
      s.nextTokens = grant.granted;
      s.nextExpiresAtMs = takenAtMs + leaseMs;
    } else {
      s.tokens = grant.granted;
      s.expiresAtMs = takenAtMs + leaseMs;
    }
  }

  /** Serves waiters from the new lease in arrival order; the rest are refused or wait for another take. */
  function settle(key: string, s: KeyState): void {
    if (s.waiters.length === 0) return;
    let served = 0;
    for (const waiter of s.waiters) {
      if (spend(s, waiter.nowMs)) waiter.resolve(true);
      else if (waiter.nowMs < s.refusedUntilMs) waiter.resolve(false);
      else break;
      served++;
    }
    s.waiters.splice(0, served);
    if (s.waiters.length === 0) return;
    let latestMs = 0;
    for (const waiter of s.waiters) latestMs = Math.max(latestMs, waiter.nowMs);
    take(key, s, latestMs, batchFor(s, latestMs));
  }

  /** Spends one local token if a lease has one left at `nowMs`. */
  function spend(s: KeyState, nowMs: number): boolean {
    if (s.tokens > 0 && nowMs < s.expiresAtMs) {
      s.tokens--;
      return true;
    }
    s.tokens = s.nextTokens;
    s.expiresAtMs = s.nextExpiresAtMs;
    s.nextTokens = 0;
    if (s.tokens > 0 && nowMs < s.expiresAtMs) {
      s.tokens--;
      return true;
    }
    s.tokens = 0;
    return false;
  }

  return {
    allow(key, limit, nowMs) {
      if (limit <= 0) return true;
      const s = stateOf(key, limit, nowMs);
      s.demand++;
      if (s.waiters.length === 0 && spend(s, nowMs)) {
        // Running low: take the next batch now, so that the next calls need not wait for it.
        if (!s.taking && s.nextTokens === 0 && s.tokens * 2 < s.batch && nowMs >= s.refusedUntilMs) {
          const batch = batchFor(s, nowMs);
          if (batch > 0) take(key, s, nowMs, batch);
        }
        return true;
      }
      if (nowMs < s.refusedUntilMs) return false;
      return new Promise<boolean>((resolve, reject) => {
        s.waiters.push({ nowMs, resolve, reject });
        if (!s.taking) take(key, s, nowMs, batchFor(s, nowMs));
      });
    },
    close() {
      states.clear();
      return authority.close();
    },
  };
}
