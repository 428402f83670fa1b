import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BudgetAuthority } from '../src/gateway/budget.js';

/**
 * What every BudgetAuthority must do, written once and run against each (memory, Redis): an exact
 * sliding log of grants per key over a rolling second.
 */
export function budgetContract(name: string, open: () => Promise<BudgetAuthority>): void {
  describe(`budget contract: ${name}`, () => {
    let budget: BudgetAuthority;
    before(async () => {
      budget = await open();
    });
    after(() => budget.close());
    /** A key of its own per test, so no test sees another's grants. */
    const fresh = (): string => `1400000000:test/${randomBytes(4).toString('hex')}`;
    const T = 1_900_000_000_000;

    test('grants up to the limit, then nothing until the oldest grant leaves the window', async () => {
      const key = fresh();
      assert.deepEqual(await budget.take(key, 3, 10, T), { granted: 3, retryAtMs: T });
      assert.deepEqual(await budget.take(key, 5, 10, T + 100), { granted: 5, retryAtMs: T + 100 });
      assert.deepEqual(await budget.take(key, 5, 10, T + 200), { granted: 2, retryAtMs: T + 1000 }, 'a partial grant; spent until T+1000');
      assert.deepEqual(await budget.take(key, 1, 10, T + 999), { granted: 0, retryAtMs: T + 1000 });
      assert.deepEqual(await budget.take(key, 5, 10, T + 1000), { granted: 3, retryAtMs: T + 1100 }, 'the grant made at T left the window at T+1000');
      assert.deepEqual(await budget.take(key, 9, 10, T + 1100), { granted: 5, retryAtMs: T + 1200 });
    });

    test('a refused take has no effect', async () => {
      const key = fresh();
      assert.equal((await budget.take(key, 10, 10, T)).granted, 10);
      for (let i = 0; i < 50; i++) assert.equal((await budget.take(key, 1, 10, T + 500 + i)).granted, 0);
      assert.deepEqual(await budget.take(key, 20, 10, T + 1000), { granted: 10, retryAtMs: T + 2000 });
    });

    test('keys are independent', async () => {
      const spent = fresh();
      const other = fresh();
      assert.equal((await budget.take(spent, 10, 10, T)).granted, 10);
      assert.equal((await budget.take(spent, 1, 10, T + 1)).granted, 0);
      assert.deepEqual(await budget.take(other, 10, 10, T + 1), { granted: 10, retryAtMs: T + 1001 });
    });

    test('many callers at once share the limit exactly', async () => {
      const key = fresh();
      const grants = await Promise.all(Array.from({ length: 100 }, (_, i) => budget.take(key, 3, 200, T + (i % 7))));
      assert.equal(grants.reduce((sum, g) => sum + g.granted, 0), 200);
      assert.equal(grants.filter((g) => g.granted === 0).length, 33);
    });

    test('a caller whose clock lags has its grant counted no shorter than the latest', async () => {
      const key = fresh();
      assert.equal((await budget.take(key, 5, 10, T + 1000)).granted, 5);
      assert.deepEqual(await budget.take(key, 5, 10, T + 900), { granted: 5, retryAtMs: T + 2000 });
      assert.deepEqual(await budget.take(key, 1, 10, T + 1999), { granted: 0, retryAtMs: T + 2000 });
      assert.deepEqual(await budget.take(key, 20, 10, T + 2000), { granted: 10, retryAtMs: T + 3000 });
    });

    test('a lowered limit waits until enough grants have left the window', async () => {
      const key = fresh();
      assert.equal((await budget.take(key, 2, 10, T)).granted, 2);
      assert.equal((await budget.take(key, 2, 10, T + 100)).granted, 2);
      assert.equal((await budget.take(key, 4, 10, T + 300)).granted, 4);
      assert.deepEqual(await budget.take(key, 1, 5, T + 400), { granted: 0, retryAtMs: T + 1100 }, '8 taken: under 5 once the first two grants have left');
    });

    test('answers healthy', async () => {
      assert.equal(await budget.healthy(), true);
    });
  });
}
