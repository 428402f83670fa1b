import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CloseCode } from '../src/client/index.js';
import { startServer, type TestServer, text } from './helpers.js';
import { type PrivateRedis, privateRedis } from './redis.js';
import { eventually, watch } from './stream-clients.js';

// The event stream when its Redis goes away and comes back empty (no persistence): a connected
// client is told at once that it may miss events, cannot connect while Redis is away, and once it
// is back resumes into a new epoch and is told to resync; nothing is silently skipped.

let redis: PrivateRedis;
let s: TestServer;
before(async () => {
  redis = await privateRedis();
  s = await startServer({ env: { PARLEY_REDIS_URL: redis.url } });
  await s.users('o1', 'o2');
});
after(async () => {
  await s.close();
  await redis.stop();
});

test('Redis stops and starts again empty: the client is interrupted (4009), then resyncs into a new epoch and gets live events', async () => {
  const o2 = await watch(s.url, 'o2');
  const epoch = (await o2.stream.connected()).Epoch;
  const send = (t: string, n: number) => s.ok('openim/sendmsg', { From_Account: 'o1', To_Account: 'o2', MsgRandom: n, MsgBody: text(t) });
  await send('before', 1);
  await o2.wait(1);
  await redis.stop();
  await send('during', 2); // stored (SQLite), but its event cannot reach the stream
  await eventually(() => o2.closes.some((c) => c.code === CloseCode.Interrupted), 'the client to hear it may miss events');
  assert.ok(o2.closes.every((c) => c.willReconnect), 'it keeps trying');
  await redis.start();
  await eventually(() => o2.resyncs.length > 0, 'a resync once Redis is back', 15_000);
  const connected = await o2.stream.connected();
  assert.notEqual(connected.Epoch, epoch, 'a new epoch: the old stream is gone');
  await send('after', 3);
  const got = await o2.wait(2);
  assert.deepEqual(got.map((e) => e.Event === 'C2C.NewMsg' && e.MsgBody), [text('before'), text('after')], '"during" is read from history after the resync');
  o2.stream.close();
});
