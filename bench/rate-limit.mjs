// `npm run -s build && node bench/rate-limit.mjs`: the cost of one allow() on the hot path, the
// in-process limiter against the leased limiter spending a local token (over the memory budget, so
// the number is the limiter's own). Calls run in chunks with a turn of the event loop between
// them, so that takes ahead of demand come back as they would between requests.
import { createMemoryBudget } from '../dist/src/gateway/budget-memory.js';
import { createLeasedRateLimiter } from '../dist/src/gateway/rate-limit-leased.js';
import { createMemoryRateLimiter } from '../dist/src/gateway/rate-limit.js';

const CALLS = 1_000_000;
const CHUNK = 100;
const LIMIT = 100_000;
/** Simulated calls per millisecond: 50,000/s, half the limit, so every call is allowed. */
const PER_MS = 50;
const KEY = '1400123456:openim/sendmsg';

async function run(limiter) {
  const start = 1_900_000_000_000;
  let allowed = 0;
  let waited = 0;
  let spent = 0n;
  for (let done = 0; done < CALLS; done += CHUNK) {
    const t0 = process.hrtime.bigint();
    for (let i = done; i < done + CHUNK; i++) {
      const answer = limiter.allow(KEY, LIMIT, start + Math.floor(i / PER_MS));
      if (answer === true) allowed++;
      else if (answer !== false) waited++;
    }
    spent += process.hrtime.bigint() - t0;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await limiter.close();
  return { nsPerCall: Number(spent) / CALLS, allowed, waited };
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
for (let round = 1; round <= rounds; round++) {
  const memory = await run(createMemoryRateLimiter());
  const leased = await run(createLeasedRateLimiter(createMemoryBudget()));
  console.log(
    `round ${round}: memory limiter ${memory.nsPerCall.toFixed(1)} ns/call (${memory.allowed} allowed); ` +
      `leased limiter ${leased.nsPerCall.toFixed(1)} ns/call (${leased.allowed} answered at once, ${leased.waited} waited for a take)`,
  );
}
