import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertOk, startServer, type TestServer, text } from './helpers.js';

// GET /parley/v1/stats: the process's own event-loop times, uptime and memory, read by the bench
// before and after each phase.

interface Stats {
  eventLoop: { idleMs: number; activeMs: number };
  pid: number;
  uptimeSeconds: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number };
}

async function stats(s: TestServer): Promise<Stats> {
  const response = await fetch(`${s.url}/parley/v1/stats`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return (await response.json()) as Stats;
}

describe('GET /parley/v1/stats', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.users('stats_a', 'stats_b');
  });
  after(() => s.close());

  test('answers this process\'s event loop, pid, uptime and memory, and nothing else', async () => {
    const answer = await stats(s);
    assert.deepEqual(Object.keys(answer).sort(), ['eventLoop', 'memory', 'pid', 'uptimeSeconds']);
    assert.deepEqual(Object.keys(answer.eventLoop).sort(), ['activeMs', 'idleMs']);
    assert.deepEqual(Object.keys(answer.memory).sort(), ['external', 'heapTotal', 'heapUsed', 'rss']);
    assert.equal(answer.pid, process.pid);
    assert.ok(answer.uptimeSeconds > 0 && answer.uptimeSeconds <= process.uptime());
    for (const value of [answer.eventLoop.idleMs, answer.eventLoop.activeMs]) assert.ok(Number.isFinite(value) && value >= 0);
    for (const value of Object.values(answer.memory)) assert.ok(Number.isInteger(value) && value > 0);
    assert.ok(answer.memory.heapUsed <= answer.memory.heapTotal);
  });

  test('activeMs grows with the calls served between two readings, and never goes back', async () => {
    const first = await stats(s);
    for (let i = 0; i < 50; i++) assertOk(await s.call('openim/sendmsg', { From_Account: 'stats_a', To_Account: 'stats_b', MsgRandom: i + 1, MsgBody: text(`stats ${i}`) }));
    const second = await stats(s);
    assert.ok(second.eventLoop.activeMs > first.eventLoop.activeMs, `activeMs ${first.eventLoop.activeMs} -> ${second.eventLoop.activeMs}`);
    assert.ok(second.eventLoop.idleMs >= first.eventLoop.idleMs);
    assert.ok(second.uptimeSeconds > first.uptimeSeconds);
  });

  test('is read-only: other methods are not routed', async () => {
    const response = await fetch(`${s.url}/parley/v1/stats`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 404);
  });
});
