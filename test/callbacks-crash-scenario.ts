import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type Received, startReceiver } from './callback-receiver.js';
import { callApi, type Reply, text } from './helpers.js';
import type { ServerProcess } from './process.js';

// Acceptance: after-callbacks survive kill -9 of parley while the app server is down, and are
// delivered once it is back (after the restart), each at least once and with its delivery id.
// Run on each store by callbacks-crash.test.ts (SQLite) and callbacks-crash.pg.test.ts.

export const CALLBACK_CRASH_TITLE = 'after-callbacks committed while the receiver is down survive kill -9 and are delivered, with their ids, once it is back';

const TOKEN = 'crash-token';
const MESSAGES = 12;

/** A port nothing listens on (the receiver's, while it is down). */
async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

export async function callbackCrash(start: (env: Record<string, string>) => Promise<ServerProcess>): Promise<void> {
  const port = await freePort();
  const env = {
    PARLEY_CALLBACK_URL: `http://127.0.0.1:${port}/cb`,
    PARLEY_CALLBACK_TOKEN: TOKEN,
    PARLEY_CALLBACK_COMMANDS: 'C2C.CallbackAfterSendMsg,C2C.CallbackAfterModifyMsg',
    PARLEY_CALLBACK_RETRY_SECONDS: '1',
  };
  const first = await start(env);
  const ok = async (server: ServerProcess, api: string, body: unknown): Promise<Reply> => {
    const r = await callApi(server.url, api, body);
    assert.equal(r.ErrorCode, 0, `${api}: ${r.ErrorInfo}`);
    return r;
  };
  await ok(first, 'im_open_login_svc/multiaccount_import', { Accounts: ['u1', 'u2'] });
  const expected = new Set<string>();
  for (let i = 0; i < MESSAGES; i++) {
    const sent = await ok(first, 'openim/sendmsg', { From_Account: 'u1', To_Account: 'u2', MsgRandom: 1000 + i, MsgBody: text(`m${i}`) });
    const key = sent['MsgKey'] as string;
    expected.add(`C2C.CallbackAfterSendMsg ${key}`);
    await ok(first, 'openim/modify_c2c_msg', { From_Account: 'u1', To_Account: 'u2', MsgKey: key, CloudCustomData: `edited ${i}` });
    expected.add(`C2C.CallbackAfterModifyMsg ${key}`);
  }
  // Every call was answered, so every callback is in the outbox; some attempts have failed by now.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const killed = await first.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');

  const receiver = await startReceiver(port);
  try {
    const second = await start(env);
    const seen = (r: readonly Received[]) => new Set(r.map((x) => `${x.command} ${String(x.body['MsgKey'])}`));
    await receiver.waitFor((r) => [...expected].every((e) => seen(r).has(e)), 30_000, `all ${expected.size} callbacks`);
    const ids = new Map<string, string>();
    for (const r of receiver.received) {
      const id = r.query.get('ParleyDeliveryId');
      assert.ok(id !== null && r.headers['x-parley-delivery-id'] === id, 'the delivery id travels with every attempt');
      const event = `${r.command} ${String(r.body['MsgKey'])}`;
      assert.ok(expected.has(event), `an expected callback: ${event}`);
      assert.equal(ids.get(event) ?? id, id, 'a redelivery carries the same id');
      ids.set(event, id);
      const time = r.query.get('RequestTime') ?? '';
      assert.equal(r.query.get('Sign'), createHash('sha256').update(`${TOKEN}${time}`).digest('hex'));
    }
    assert.equal(ids.size, expected.size);
    const stopped = await second.stop('SIGTERM');
    assert.equal(stopped.code, 0, `a clean stop:\n${second.output()}`);
  } finally {
    await receiver.close();
  }
}
