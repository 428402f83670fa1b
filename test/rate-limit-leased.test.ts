import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BudgetAuthority } from '../src/gateway/budget.js';
import { createMemoryBudget } from '../src/gateway/budget-memory.js';
import { createLeasedRateLimiter } from '../src/gateway/rate-limit-leased.js';
import type { RateLimiter } from '../src/gateway/rate-limit.js';
import { budgetContract } from './budget-contract.js';

budgetContract('memory', () => Promise.resolve(createMemoryBudget()));

/** The real memory budget, with a count of the takes that reached it (the round trips a node made). */
function counting(budget: BudgetAuthority): BudgetAuthority & { takes: number } {
  const counted = {
    takes: 0,
    take(key: string, want: number, limit: number, nowMs: number) {
      counted.takes++;
      return budget.take(key, want, limit, nowMs);
    },
    healthy: () => budget.healthy(),
    close: () => budget.close(),
  };
  return counted;
}

/** Two nodes: two leased limiters sharing one budget, as the cluster primary or Redis shares it. */
function twoNodes(budget: BudgetAuthority = createMemoryBudget()): [RateLimiter, RateLimiter] {
  return [createLeasedRateLimiter(budget), createLeasedRateLimiter(budget)];
}

const T = 1_900_000_000_000;
const KEY = '1400123456:openim/sendmsg';

/**
 * Calls `key` on every node `perMs` times each millisecond from `fromMs` up to `toMs`, one call
 * after another as a busy server would, and returns when each allowed call was made and how many
 * calls were not answered at once (returned a Promise).
 */
async function stream(nodes: readonly RateLimiter[], limit: number, fromMs: number, toMs: number, perMs: number): Promise<{ allowedAt: number[]; waited: number; calls: number }> {
  const allowedAt: number[] = [];
  let waited = 0;
  let calls = 0;
  for (let t = fromMs; t < toMs; t++) {
    for (let i = 0; i < perMs; i++) {
      for (const node of nodes) {
        calls++;
        const answer = node.allow(KEY, limit, t);
        if (typeof answer !== 'boolean') waited++;
        if (await answer) allowedAt.push(t);
      }
    }
  }
  return { allowedAt, waited, calls };
}

/** The fewest and most calls allowed in any rolling second (t - 1000, t] ending from `fromMs` to `toMs`. */
function windowRange(allowedAt: readonly number[], fromMs: number, toMs: number): { min: number; max: number } {
  let min = Infinity;
  let max = 0;
  let lo = 0;
  let hi = 0;
  for (let t = fromMs; t <= toMs; t++) {
    while (hi < allowedAt.length && (allowedAt[hi] ?? Infinity) <= t) hi++;
    while (lo < hi && (allowedAt[lo] ?? Infinity) <= t - 1000) lo++;
    min = Math.min(min, hi - lo);
    max = Math.max(max, hi - lo);
  }
  return { min, max };
}

describe('leased rate limiter over the memory budget', () => {
  test('a burst of 600 calls split across two nodes with a limit of 200/s lets 200 through', async () => {
    const [a, b] = twoNodes();
    const answers = await Promise.all(Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? a : b).allow(KEY, 200, T)));
    const allowed = answers.filter(Boolean).length;
    assert.ok(Math.abs(allowed - 200) <= 10, `allowed ${allowed}`);
    assert.equal(allowed, 200, 'one shared budget in one instant: exact');
  });

  test('the same burst made one call after another', async () => {
    const [a, b] = twoNodes();
    let allowed = 0;
    for (let i = 0; i < 600; i++) if (await (i % 2 === 0 ? a : b).allow(KEY, 200, T + Math.floor(i / 10))) allowed++;
    assert.equal(allowed, 200);
  });

  test('over the limit, a refusal is remembered until retryAt: refused calls cost no take and no await', async () => {
    const budget = counting(createMemoryBudget());
    const [a, b] = twoNodes(budget);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).allow(KEY, 20, T)));
    const takes = budget.takes;
    for (let i = 0; i < 1000; i++) {
      const answer = (i % 2 === 0 ? a : b).allow(KEY, 20, T + 500 + (i % 499));
      assert.equal(answer, false, 'refused at once, as a plain boolean');
    }
    assert.equal(budget.takes, takes, 'no take while the budget is known to be spent');
    assert.equal(await a.allow(KEY, 20, T + 1000), true, 'the window has rolled: allowed again');
  });

  test('a call with a local token is answered at once with a boolean, not a Promise', async () => {
    const budget = counting(createMemoryBudget());
    const [a] = twoNodes(budget);
    // Build up demand so that the node leases ahead of it.
    for (let i = 0; i < 20; i++) await a.allow(KEY, 1000, T);
    const takes = budget.takes;
    const answer = a.allow(KEY, 1000, T + 1);
    assert.equal(answer, true);
    assert.ok(budget.takes <= takes + 1, 'at most a take ahead of demand, off the call path');
  });

  test('leases lapse: a call granted at t is not made at t + 100 ms', async () => {
    const budget = counting(createMemoryBudget());
    const [a] = twoNodes(budget);
    for (let i = 0; i < 20; i++) await a.allow(KEY, 1000, T);
    assert.equal(a.allow(KEY, 1000, T), true, 'leased calls in stock at T');
    const takes = budget.takes;
    const late = a.allow(KEY, 1000, T + 100);
    assert.ok(late instanceof Promise, 'the lease has lapsed: the node must ask the budget again');
    assert.equal(await late, true);
    assert.ok(budget.takes > takes);
  });

  test('a steady stream of 2000 calls/s from two nodes against a limit of 200/s: every rolling second within ±5%', async () => {
    const { allowedAt } = await stream(twoNodes(), 200, T, T + 5000, 1);
    const { min, max } = windowRange(allowedAt, T + 1000, T + 5000);
    assert.ok(max <= 210, `at most ${max} in a second`);
    assert.ok(min >= 190, `at least ${min} in a second`);
  });

  test('a node spending its leased calls as late as the lease allows pushes no second more than 5% past the limit', async () => {
    const [a, b] = twoNodes();
    const allowedAt: number[] = [];
    const call = async (node: RateLimiter, t: number): Promise<void> => {
      if (await node.allow(KEY, 200, t)) allowedAt.push(t);
    };
    // A leases ahead of a burst; B spends the rest of the second's budget at once.
    for (let i = 0; i < 30; i++) await call(a, T);
    for (let i = 0; i < 300; i++) await call(b, T);
    // A spends its stock at the last moment its lease allows ...
    let late = 0;
    let answer = a.allow(KEY, 200, T + 99);
    for (; answer === true; answer = a.allow(KEY, 200, T + 99)) {
      late++;
      allowedAt.push(T + 99);
    }
    assert.equal(await answer, false, 'beyond its stock, A finds the second spent');
    // ... and B spends the next second's budget as soon as the authority frees it.
    for (let i = 0; i < 300; i++) await call(b, T + 1000);
    assert.ok(late > 0, 'A held leased calls');
    const { max } = windowRange(allowedAt.sort((x, y) => x - y), T, T + 3000);
    assert.equal(max, 200 + late, 'the overshoot is exactly what A held');
    assert.ok(max <= 210, `at most ${max} in a second`);
  });

  test('under the limit at 20,000 calls/s, nearly every call is answered without waiting for the budget', async () => {
    const budget = counting(createMemoryBudget());
    const { allowedAt, waited, calls } = await stream(twoNodes(budget), 100_000, T, T + 2000, 10);
    assert.equal(allowedAt.length, calls, 'none refused');
    assert.ok(waited / calls < 0.01, `${waited} of ${calls} calls waited`);
    assert.ok(budget.takes / calls < 0.02, `${budget.takes} takes for ${calls} calls`);
  });

  test('a slow key takes one call at a time: nothing leased that would lapse unspent', async () => {
    const budget = counting(createMemoryBudget());
    const [a, b] = twoNodes(budget);
    for (let i = 0; i < 5; i++) assert.equal(await a.allow(KEY, 10, T + 200 * i), true);
    assert.equal(budget.takes, 5, 'one take per call');
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (await b.allow(KEY, 10, T + 900)) allowed++;
    assert.equal(allowed, 5, 'A took no more than its own 5 calls');
  });

  test('keys are independent', async () => {
    const [a, b] = twoNodes();
    for (let i = 0; i < 10; i++) assert.equal(await a.allow(KEY, 10, T), true);
    assert.equal(await b.allow(KEY, 10, T), false);
    assert.equal(await b.allow('1400123456:openim/batchsendmsg', 10, T), true);
    assert.equal(await b.allow('1400999999:openim/sendmsg', 10, T), true);
  });

  test('limit 0 means no limit', () => {
    const [a] = twoNodes();
    for (let i = 0; i < 100; i++) assert.equal(a.allow(KEY, 0, T), true);
  });

  test('many keys: the oldest idle ones are forgotten, and every key still counts right', async () => {
    const budget = createMemoryBudget();
    const a = createLeasedRateLimiter(budget, { maxKeys: 100 });
    for (let k = 0; k < 1000; k++) assert.equal(await a.allow(`k${k}`, 2, T + k), true);
    assert.equal(await a.allow('k999', 2, T + 1000), true);
    assert.equal(await a.allow('k999', 2, T + 1000), false, 'k999 had its 2 calls in the second');
    assert.equal(await a.allow('k0', 2, T + 1000), true, 'k0 was forgotten locally, and its grant left the window');
  });
});
