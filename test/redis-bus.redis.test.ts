import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createRedisBus, type RedisBus } from '../src/bus/redis.js';
import type { C2CSentEvent, ParleyEvent } from '../src/bus/types.js';
import { closeRedis } from '../src/redis.js';
import { connect, privateRedis, ready, testRedisUrl, uniquePrefix, until } from './redis.js';

/** A numbered event from one node; `from` names the node, `msgKey` the number. */
function sent(node: string, n: number): C2CSentEvent {
  return { type: 'c2c.sent', app: 1400123456, from: node, to: 'peer', msgKey: String(n), seq: n, random: n, time: 1_900_000_000, body: '[]', cloudCustomData: '', senderSync: true, eventTime: 1_900_000_000_000 + n };
}

/** Waits until every node's subscriber is on the channel, so nothing published next is missed. */
async function subscribed(redis: Redis, channel: string, count: number): Promise<void> {
  await until(async () => {
    const reply = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    return Number(reply[1]) >= count;
  }, 5000, `${count} subscribers on ${channel}`);
}

/** One node: its two connections and its bus. */
interface Node {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  readonly bus: RedisBus;
  readonly errors: unknown[];
}

function node(url: string, prefix: string): Node {
  const errors: unknown[] = [];
  const publisher = connect(url, errors);
  const subscriber = connect(url, errors);
  return { publisher, subscriber, bus: createRedisBus(publisher, subscriber, prefix, (error) => errors.push(error)), errors };
}

async function closeNode(n: Node): Promise<void> {
  await n.bus.close();
  await Promise.all([closeRedis(n.publisher), closeRedis(n.subscriber)]);
}

describe('Redis bus, two nodes', () => {
  const url = testRedisUrl();
  const prefix = uniquePrefix();
  let a: Node;
  let b: Node;
  before(async () => {
    a = node(url, prefix);
    b = node(url, prefix);
    await ready(a.publisher, a.subscriber, b.publisher, b.subscriber);
    await subscribed(a.publisher, `${prefix}events`, 2);
  });
  after(async () => {
    await Promise.all([closeNode(a), closeNode(b)]);
  });

  test("each node's subscribers see both nodes' events exactly once, in order per publisher", async () => {
    const seenByA: ParleyEvent[] = [];
    const seenByB: ParleyEvent[] = [];
    const stopA = a.bus.subscribe((e) => seenByA.push(e));
    const stopB = b.bus.subscribe((e) => seenByB.push(e));
    try {
      for (let i = 0; i < 200; i++) {
        a.bus.publish(sent('a', i));
        b.bus.publish(sent('b', i));
      }
      await until(() => seenByA.length >= 400 && seenByB.length >= 400, 5000, 'every event on both nodes');
      await new Promise((resolve) => setTimeout(resolve, 100)); // Any duplicate would have arrived by now.
      for (const seen of [seenByA, seenByB]) {
        assert.equal(seen.length, 400, 'no duplicates');
        for (const from of ['a', 'b']) {
          const numbers = seen.filter((e) => e.type === 'c2c.sent' && e.from === from).map((e) => (e.type === 'c2c.sent' ? Number(e.msgKey) : -1));
          assert.deepEqual(numbers, Array.from({ length: 200 }, (_, i) => i), `node ${from}'s events, in its order`);
        }
      }
      assert.deepEqual(seenByB.find((e) => e.type === 'c2c.sent' && e.from === 'a'), sent('a', 0), 'an event arrives whole');
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      stopA();
      stopB();
    }
  });

  test("a node's own subscribers get its events at once, before any round trip", async () => {
    const seen: ParleyEvent[] = [];
    const stop = a.bus.subscribe((e) => seen.push(e));
    try {
      a.bus.publish(sent('a', 1000));
      await Promise.resolve();
      assert.deepEqual(seen, [sent('a', 1000)]);
    } finally {
      stop();
    }
  });

  test('an ended subscription hears nothing more', async () => {
    const seen: ParleyEvent[] = [];
    const stop = b.bus.subscribe((e) => seen.push(e));
    const keys = (events: ParleyEvent[]): string[] => events.map((e) => (e.type === 'c2c.sent' ? e.msgKey : e.type));
    a.bus.publish(sent('a', 2000));
    await until(() => keys(seen).includes('2000'), 5000, 'the first event');
    stop();
    a.bus.publish(sent('a', 2001));
    // A later event reaching another subscriber shows that 2001 (published before it) has been delivered.
    const later: ParleyEvent[] = [];
    const stopLater = b.bus.subscribe((e) => later.push(e));
    a.bus.publish(sent('a', 2002));
    await until(() => keys(later).includes('2002'), 5000, 'a later event');
    stopLater();
    assert.deepEqual(keys(later).slice(-1), ['2002']);
    assert.equal(keys(seen).at(-1), '2000', 'nothing after the subscription ended');
  });

  test('a message on the channel that is not a parley event goes to onError, and the bus goes on', async () => {
    const before = b.errors.length;
    await a.publisher.publish(`${prefix}events`, 'not json');
    await a.publisher.publish(`${prefix}events`, JSON.stringify({ node: 'x', event: 42 }));
    await until(() => b.errors.length >= before + 2, 5000, 'the errors');
    const seen: ParleyEvent[] = [];
    const stop = b.bus.subscribe((e) => seen.push(e));
    a.bus.publish(sent('a', 3000));
    await until(() => seen.some((e) => e.type === 'c2c.sent' && e.msgKey === '3000'), 5000, 'the next event');
    stop();
  });

  test('healthy while both connections are up', () => {
    assert.equal(a.bus.healthy(), true);
    assert.equal(b.bus.healthy(), true);
  });
});

describe('Redis bus across an outage (a private redis-server)', () => {
  test('unhealthy while Redis is away, local events still delivered; after Redis returns the nodes hear each other again', async () => {
    const server = await privateRedis();
    const prefix = uniquePrefix();
    const a = node(server.url, prefix);
    const b = node(server.url, prefix);
    try {
      await ready(a.publisher, a.subscriber, b.publisher, b.subscriber);
      await subscribed(a.publisher, `${prefix}events`, 2);
      const seenByB: ParleyEvent[] = [];
      const seenByA: ParleyEvent[] = [];
      b.bus.subscribe((e) => seenByB.push(e));
      a.bus.subscribe((e) => seenByA.push(e));

      await server.stop();
      await until(() => !a.bus.healthy(), 2000, 'the bus to notice');
      a.bus.publish(sent('a', 1));
      await until(() => seenByA.length === 1, 1000, 'the local event');
      await until(() => a.errors.length > 0, 2000, 'the failed publish to be reported');

      await server.start();
      await until(() => a.bus.healthy() && b.bus.healthy(), 5000, 'the buses to reconnect');
      // The restarted Redis forgot the subscriptions: each node subscribed again by itself.
      await subscribed(a.publisher, `${prefix}events`, 2);
      a.bus.publish(sent('a', 2));
      await until(() => seenByB.length === 1, 5000, "a's event to reach b");
      assert.deepEqual(seenByB, [sent('a', 2)], 'the event published during the outage reached only its own node');
    } finally {
      await Promise.all([closeNode(a), closeNode(b)]);
      await server.stop();
    }
  });
});
