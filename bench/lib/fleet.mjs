// A child process (fork) that plays the people and the app server around a parley under test:
// WebSocket clients on its event stream, and the third-party callback receiver. It runs apart
// from the load generator so neither one's CPU time is charged to the other. Commands arrive over
// IPC: { type: 'open', ... } opens sockets, 'stats' reports counts, 'close' ends it.
import { createServer } from 'node:http';
import WebSocket from 'ws';
import { signUserSig } from '../../dist/src/usersig/sign.js';

let frames = 0;
let callbacks = 0;
let unexpectedCloses = 0;
const sockets = new Set();

/** The callback receiver: counts each call and answers as Tencent's receivers must. */
const sink = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    callbacks += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}');
  });
});
sink.keepAliveTimeout = 60_000;

/** Opens one socket and resolves once its first frame (Stream.Connected) arrived. */
function openOne({ url, sdkappid, secretKey }, user) {
  const userSig = signUserSig({ sdkappid, identifier: user, time: Math.floor(Date.now() / 1000), expire: 86_400 }, secretKey);
  const target = `${url.replace(/^http/, 'ws')}/parley/v1/events?sdkappid=${sdkappid}&identifier=${encodeURIComponent(user)}&usersig=${encodeURIComponent(userSig)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, { perMessageDeflate: false });
    let connected = false;
    ws.on('message', () => {
      if (!connected) {
        connected = true;
        sockets.add(ws);
        resolve();
        return;
      }
      frames += 1; // counted, never parsed: the thinnest client there is
    });
    ws.on('close', (code, reason) => {
      if (!connected) reject(new Error(`${user}: closed ${code} ${reason}`));
      else if (sockets.delete(ws) && !closing) unexpectedCloses += 1;
    });
    ws.on('error', (error) => {
      if (!connected) reject(error);
    });
  });
}

/** Opens a socket per user, `concurrency` handshakes at a time. */
async function open(command) {
  let next = 0;
  let failed = 0;
  let firstError;
  const worker = async () => {
    while (next < command.users.length) {
      const user = command.users[next++];
      try {
        await openOne(command, user);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency ?? 100 }, worker));
  return { opened: sockets.size, failed, firstError };
}

let closing = false;
process.on('message', async (command) => {
  if (command.type === 'open') process.send({ type: 'opened', ...(await open(command)) });
  else if (command.type === 'stats') process.send({ type: 'stats', frames, callbacks, open: sockets.size, unexpectedCloses });
  else if (command.type === 'close') {
    closing = true;
    for (const ws of sockets) ws.terminate();
    sink.close();
    process.disconnect();
  }
});

sink.listen(0, '127.0.0.1', () => process.send({ type: 'ready', sinkUrl: `http://127.0.0.1:${sink.address().port}/callback` }));
