import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { WebSocket } from 'ws';
import type * as Client from '../src/client/index.js';
import { startServer, TEST_APP, text, userSig } from './helpers.js';
import { eventually } from './stream-clients.js';

// parley/client as a user of the package gets it: through package.json "exports", from the built
// dist, with its type declarations.

const root = fileURLToPath(new URL('../..', import.meta.url));
// A variable, so TypeScript does not resolve it at type-check time (dist does not exist yet then).
const specifier = 'parley/client';
const probe = `${root}dist/client-types-probe-${process.pid}.mts`;
after(() => rmSync(probe, { force: true }));

test('parley/client resolves to the built client and streams events', async () => {
  const client = (await import(specifier)) as typeof Client;
  assert.equal(typeof client.connectEventStream, 'function');
  assert.equal(client.EVENTS_PATH, '/parley/v1/events');
  const s = await startServer();
  try {
    await s.users('pkg1', 'pkg2');
    const stream = client.connectEventStream({ url: s.url, sdkappid: TEST_APP.sdkappid, identifier: 'pkg2', userSig: () => userSig('pkg2'), WebSocket });
    const got: Client.EventFrame[] = [];
    stream.on('event', (e) => got.push(e));
    await stream.connected();
    await s.ok('openim/sendmsg', { From_Account: 'pkg1', To_Account: 'pkg2', MsgRandom: 1, MsgBody: text('via the package') });
    await eventually(() => got.length === 1, 'the event');
    assert.equal(got[0]?.Event, 'C2C.NewMsg');
    assert.deepEqual(stream.position(), { offset: got[0]?.Offset, epoch: got[0]?.Epoch });
    stream.close();
  } finally {
    await s.close();
  }
});

test('its type declarations type-check a user\'s code, and reject a wrong use', () => {
  const check = (source: string): string[] => {
    writeFileSync(probe, source);
    const program = ts.createProgram([probe], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
  const good = `import { connectEventStream, CloseCode, type EventFrame } from 'parley/client';
import { WebSocket } from 'ws';
const stream = connectEventStream({ url: 'http://127.0.0.1:8080', sdkappid: 1, identifier: 'u', userSig: 'sig', WebSocket });
stream.on('event', (e: EventFrame) => { if (e.Event === 'C2C.MsgModified') { const key: string = e.MsgKey; void key; } });
const kicked: number = CloseCode.Kicked; void kicked;
`;
  assert.deepEqual(check(good), []);
  assert.notDeepEqual(check(`import { connectEventStream } from 'parley/client';\nconnectEventStream({ url: 1 });\n`), []);
});
