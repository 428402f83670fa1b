/**
 * A shared frequency budget: the one place that knows how many calls of a key (app and API) all
 * nodes together have made in the rolling second. Nodes do not ask it on every call: a leased
 * limiter (rate-limit-leased.ts) takes a batch of calls at a time and spends them locally.
 *
 * Implementations: in-process (the cluster primary serves it to its workers over IPC), Redis (all
 * nodes of a deployment).
 */
export interface BudgetAuthority {
  /**
   * Grants up to `want` calls of `key` against `limit` calls per rolling second, counted at
   * `nowMs` (the window holds the grants made in the second up to and including `nowMs`).
   * `granted` may be 0. `retryAtMs` is the earliest time at which asking again can grant more:
   * `nowMs` while budget remains; once the budget is spent (by this grant or before it), the time
   * the oldest grants leave the window, and until then every call of the key is over the limit.
   */
  take(key: string, want: number, limit: number, nowMs: number): Promise<BudgetGrant>;
  /** Resolves true while the authority answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The answer to a take: how many calls the caller may make, and when asking again can pay off. */
export interface BudgetGrant {
  readonly granted: number;
  readonly retryAtMs: number;
}
