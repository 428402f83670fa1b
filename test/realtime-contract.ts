import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Appended, Realtime } from '../src/realtime/types.js';
import type { TestClock } from './helpers.js';
import { eventually } from './stream-clients.js';

// The contract of the event stream's two capabilities (src/realtime/types.ts), written once and run
// against each implementation: in memory (realtime-memory.test.ts) and on Redis
// (realtime-redis.redis.test.ts). `open` gives a fresh deployment of two nodes sharing what their
// implementation shares (one node twice, in memory), with 3 events and 60 s of retention.

/** Two nodes of one deployment, on a clock the test moves. */
export interface RealtimeNodes {
  readonly a: Realtime;
  readonly b: Realtime;
  readonly clock: TestClock;
  close(): Promise<void>;
}

export function realtimeContract(open: () => Promise<RealtimeNodes>): void {
  let n = 0;
  const key = () => `1400000000:user${++n}-${process.pid}`;

  const collect = (r: Realtime, k: string): Appended[] => {
    const heard: Appended[] = [];
    r.streams.listen((e) => e.key === k && heard.push(e), () => undefined);
    return heard;
  };

  test('a stream numbers its events 1, 2, 3 in one epoch; every node hears them in order', async () => {
    const { a, b, close } = await open();
    try {
      const k = key();
      const start = await a.streams.position(k);
      assert.equal(start.offset, 0);
      assert.deepEqual(await b.streams.position(k), start, 'the same stream on every node');
      const onA = collect(a, k);
      const onB = collect(b, k);
      // Appends through two nodes at once have no order between them (two connections to the event
      // store): each waits until the one before is heard, so the order under test is the stream's.
      for (let i = 1; i <= 3; i++) {
        (i % 2 === 0 ? b : a).streams.append(k, `{"Event":"E","n":${i}}`);
        await eventually(() => onA.length === i && onB.length === i, `both nodes to hear event ${i}`);
      }
      for (const heard of [onA, onB]) {
        assert.deepEqual(heard.map((e) => [e.offset, e.epoch, e.body]), [1, 2, 3].map((i) => [i, start.epoch, `{"Event":"E","n":${i}}`]));
      }
      assert.deepEqual(await a.streams.position(k), { epoch: start.epoch, offset: 3 });
    } finally {
      await close();
    }
  });

  test('since: what followed an offset while it is kept; resync for another epoch, an offset ahead, or events past the retained count or age', async () => {
    const { a, b, clock, close } = await open();
    try {
      const k = key();
      const { epoch } = await a.streams.position(k);
      const heard = collect(a, k);
      for (let i = 1; i <= 3; i++) a.streams.append(k, `{"n":${i}}`);
      await eventually(() => heard.length === 3, 'three events');
      assert.deepEqual(await b.streams.since(k, epoch, 1), { kind: 'ok', position: { epoch, offset: 3 }, bodies: ['{"n":2}', '{"n":3}'] });
      assert.deepEqual(await b.streams.since(k, epoch, 3), { kind: 'ok', position: { epoch, offset: 3 }, bodies: [] });
      assert.deepEqual(await b.streams.since(k, 'other', 1), { kind: 'resync', position: { epoch, offset: 3 } });
      assert.deepEqual(await b.streams.since(k, epoch, 9), { kind: 'resync', position: { epoch, offset: 3 } });
      a.streams.append(k, '{"n":4}');
      await eventually(() => heard.length === 4, 'a fourth event');
      assert.equal((await a.streams.since(k, epoch, 0)).kind, 'resync', 'four missed, three kept');
      assert.deepEqual((await a.streams.since(k, epoch, 1)).kind, 'ok');
      clock.advance(61);
      assert.equal((await a.streams.since(k, epoch, 3)).kind, 'resync', 'the missed event is older than the retention');
    } finally {
      await close();
    }
  });

  test('presence: devices on every node, interest while connected and for the retention after, kicks everywhere', async () => {
    const { a, b, clock, close } = await open();
    try {
      const k = key();
      const [app, user] = [Number(k.split(':')[0]), k.slice(k.indexOf(':') + 1)];
      assert.equal(a.presence.wants(k), false);
      await a.presence.join(k, 'c1', { platform: 'iPhone', connectedAt: 1 });
      await b.presence.join(k, 'c2', { platform: 'Web', connectedAt: 2 });
      await eventually(() => a.presence.wants(k) && b.presence.wants(k) && a.presence.wantsApp(app) && b.presence.wantsApp(app), 'every node to want the stream');
      for (const node of [a, b]) {
        const devices = await node.presence.devices(app, [user, 'nobody']);
        assert.deepEqual([...(devices.get(user) ?? [])].map((d) => d.platform).sort(), ['Web', 'iPhone']);
        assert.equal(devices.has('nobody'), false);
      }
      a.presence.leave(k, 'c1');
      b.presence.leave(k, 'c2');
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        left = (await b.presence.devices(app, [user])).get(user)?.length ?? 0;
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(left, 0, 'no device once both left');
      assert.equal(a.presence.wants(k), true, 'kept for the retention after the last device left');
      clock.advance(120);
      assert.equal(a.presence.wants(k), false, 'and no longer');

      const kicked: string[] = [];
      b.presence.onKick((x) => kicked.push(x));
      assert.equal(await b.presence.kickedAt(k), undefined);
      await a.presence.kick(k, 1_900_000_000);
      await a.presence.kick(k, 1_800_000_000);
      await eventually(() => kicked.length === 2, 'the other node to hear the kicks');
      assert.equal(await b.presence.kickedAt(k), 1_900_000_000, 'the latest kick is kept');
    } finally {
      await close();
    }
  });
}
