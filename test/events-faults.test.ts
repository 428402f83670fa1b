import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { CloseCode, EVENTS_PATH, MAX_CLIENT_FRAME_BYTES } from '../src/client/index.js';
import { startServer, type TestServer, text, userSig } from './helpers.js';
import { eventually, rawSocket, streamUrl, userQuery, watch } from './stream-clients.js';

// The event stream under bad input and faults: refused connections say why in a way a browser can
// read, a bad client frame closes only its own socket, dead peers are cut by the heartbeat, and a
// client that stops reading is disconnected with a reason and can resume.

let s: TestServer;
before(async () => {
  s = await startServer({ env: { PARLEY_EVENTS_PING_SECONDS: '1' } });
  await s.users('amy', 'ben', 'cat');
});
after(() => s.close());

describe('refused before any event is sent, with the gateway code in the close reason', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, Record<string, string | undefined>, number, string][] = [
    ['sdkappid missing', userQuery('amy', { sdkappid: undefined }), CloseCode.BadRequest, '60012'],
    ['SDKAppID not served', userQuery('amy', { sdkappid: '1' }), CloseCode.BadRequest, '60006'],
    ['usersig missing', userQuery('amy', { usersig: undefined }), CloseCode.BadRequest, '60004'],
    ['offset without epoch', userQuery('amy', { offset: '3' }), CloseCode.BadRequest, '60002'],
    ['unknown platform', userQuery('amy', { platform: 'Toaster' }), CloseCode.BadRequest, '60002'],
    ['a UserSig that is not one', userQuery('amy', { usersig: 'garbage' }), CloseCode.Refused, '70003'],
    ['a UserSig of another app', userQuery('amy', { usersig: userSig('amy', { sdkappid: 1400000001 }) }), CloseCode.Refused, '70014'],
    ['a UserSig of another user', userQuery('amy', { usersig: userSig('ben') }), CloseCode.Refused, '70013'],
    ['an expired UserSig', userQuery('amy', { usersig: userSig('amy', { time: now - 1000, expire: 10 }) }), CloseCode.Refused, '70001'],
    ['a UserSig signed with another key', userQuery('amy', { usersig: userSig('amy', { key: 'f'.repeat(64) }) }), CloseCode.Refused, '70009'],
    ['an account never imported', userQuery('nobody'), CloseCode.NotImported, '70107'],
  ];
  for (const [what, query, code, gatewayCode] of cases) {
    test(what, async () => {
      const raw = rawSocket(s.url, query);
      const closed = await raw.closed;
      assert.equal(closed.code, code);
      assert.match(closed.reason, new RegExp(`^${gatewayCode} \\S`), closed.reason);
      assert.deepEqual(raw.frames, [], 'no frame before the refusal');
    });
  }

  test('a user holds at most 16 sockets on a node', async () => {
    const held = Array.from({ length: 16 }, () => rawSocket(s.url, userQuery('ben')));
    await eventually(() => held.every((h) => h.frames.length === 1), '16 connections');
    const extra = rawSocket(s.url, userQuery('ben'));
    const closed = await extra.closed;
    assert.equal(closed.code, CloseCode.TooManyConnections);
    assert.match(closed.reason, /16 connections/);
    for (const h of held) h.ws.close();
    await Promise.all(held.map((h) => h.closed));
  });

  test('a plain GET is told to upgrade; an upgrade elsewhere is refused', async () => {
    const get = await fetch(`${s.url}${EVENTS_PATH}`);
    assert.equal(get.status, 426);
    const elsewhere = new WebSocket(`${s.url.replace('http', 'ws')}/parley/v1/elsewhere`);
    const status = await new Promise<number>((resolve) => elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => undefined));
    assert.equal(status, 404);
  });
});

describe('client frames', () => {
  test('a ping is answered; a malformed, binary or oversized frame closes only its own socket', async () => {
    const cat = await watch(s.url, 'cat');
    const pinger = rawSocket(s.url, userQuery('amy'));
    await eventually(() => pinger.frames.length === 1, 'Connected');
    pinger.ws.send('{"Event":"Ping"}');
    await eventually(() => pinger.frames.length === 2, 'Pong');
    assert.equal(pinger.frames[1], '{"Event":"Stream.Pong"}');
    const bad: [string, (ws: WebSocket) => void, number][] = [
      ['not JSON', (ws) => ws.send('hello'), CloseCode.Malformed],
      ['another frame', (ws) => ws.send('{"Event":"Subscribe"}'), CloseCode.Malformed],
      ['binary', (ws) => ws.send(Buffer.from([1, 2, 3])), CloseCode.Unsupported],
      ['oversized', (ws) => ws.send(`{"Event":"Ping","x":"${'x'.repeat(MAX_CLIENT_FRAME_BYTES)}"}`), CloseCode.TooBig],
    ];
    for (const [what, send, code] of bad) {
      const raw = rawSocket(s.url, userQuery('amy'));
      await eventually(() => raw.frames.length === 1, 'Connected');
      send(raw.ws);
      const closed = await raw.closed;
      assert.equal(closed.code, code, `${what}: ${closed.reason}`);
    }
    // Nobody else noticed.
    await s.ok('openim/sendmsg', { From_Account: 'amy', To_Account: 'cat', MsgRandom: 1, MsgBody: text('still here') });
    await cat.wait(1);
    assert.equal(pinger.ws.readyState, WebSocket.OPEN);
    pinger.ws.close();
    cat.stream.close();
  });
});

describe('heartbeats', () => {
  test('a peer that stops answering pings is cut; one that answers stays', async () => {
    const silent = rawSocket(s.url, userQuery('amy'), { autoPong: false });
    const answering = rawSocket(s.url, userQuery('amy'));
    const closed = await silent.closed;
    assert.equal(closed.code, 1006, 'terminated, not closed politely: the peer is presumed gone');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(answering.ws.readyState, WebSocket.OPEN);
    answering.ws.close();
  });

  test('a UserSig that expires while connected closes the socket with 4002', async () => {
    const raw = rawSocket(s.url, userQuery('amy', { usersig: userSig('amy', { expire: 2 }) }));
    const closed = await raw.closed;
    assert.equal(closed.code, CloseCode.UserSigExpired);
    assert.match(closed.reason, /^70001 /);
  });
});

/** A socket that completes the handshake and then stops reading, as a stalled client does. */
async function stalled(base: string, query: Record<string, string | undefined>): Promise<{ socket: Socket; read: () => Promise<Buffer> }> {
  const url = new URL(streamUrl(base, query));
  const socket = connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('close', () => (ended = true));
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await eventually(() => Buffer.concat(chunks).includes('"Stream.Connected"'), 'the handshake and Connected frame');
  socket.pause();
  return {
    socket,
    async read() {
      socket.resume();
      await eventually(() => ended, 'the server to close the socket', 20_000);
      const all = Buffer.concat(chunks);
      return all.subarray(all.indexOf('\r\n\r\n') + 4);
    },
  };
}

/** The frames of a server-to-client byte stream (never masked). */
function frames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const found: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] ?? 0) & 0x0f;
    let length = (bytes[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (start + length > bytes.length) break;
    found.push({ opcode, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return found;
}

describe('backpressure', () => {
  test('a client that stops reading is disconnected with a reason, costs others nothing, and resumes where it stopped', async () => {
    const r = await startServer({ env: { PARLEY_EVENTS_MAX_BUFFER: '16384', PARLEY_EVENTS_RETAIN_COUNT: '5000' } });
    try {
      await r.users('slow', 'fast');
      const fast = await watch(r.url, 'fast');
      const slow = await stalled(r.url, userQuery('slow'));
      const key = (await r.ok('openim/sendmsg', { From_Account: 'fast', To_Account: 'slow', MsgRandom: 1, MsgBody: text('start') }))['MsgKey'];
      const big = 'x'.repeat(10_000);
      let modifications = 0;
      const online = async () => ((await r.ok('openim/query_online_status', { To_Account: ['slow'] }))['QueryResult'] as { Status: string }[])[0]?.Status;
      while ((await online()) === 'Online') {
        for (let i = 0; i < 50; i++) {
          await r.ok('openim/modify_c2c_msg', { From_Account: 'fast', To_Account: 'slow', MsgKey: key, MsgBody: text(`${++modifications} ${big}`) });
        }
        assert.ok(modifications < 5000, 'the slow client was never disconnected');
      }
      const received = frames(await slow.read());
      const close = received.at(-1);
      assert.ok(close !== undefined && close.opcode === 8, 'the last frame is a close frame');
      assert.equal(close.payload.readUInt16BE(0), CloseCode.SlowConsumer);
      assert.match(close.payload.subarray(2).toString(), /^slow consumer/);
      const texts = received.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString()) as { Offset: number; Epoch: string });
      const last = texts.at(-1);
      assert.ok(last !== undefined && texts.length > 1);
      // The other party got every event, at once.
      await fast.wait(1 + modifications);
      // Resuming from the last frame read gets exactly the rest.
      const back = await watch(r.url, 'slow', { resume: { offset: last.Offset, epoch: last.Epoch } });
      assert.equal((await back.stream.connected()).Recovered, true);
      const rest = await back.wait(1 + modifications - last.Offset);
      assert.deepEqual(rest.map((e) => e.Offset), Array.from({ length: rest.length }, (_, i) => last.Offset + 1 + i));
      const final = rest.at(-1);
      assert.ok(final !== undefined && final.Event === 'C2C.MsgModified');
      assert.deepEqual(final.MsgBody, text(`${modifications} ${big}`));
      for (const w of [fast, back]) w.stream.close();
      slow.socket.destroy();
    } finally {
      await r.close();
    }
  });
});
