import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloseCode } from '../src/client/index.js';
import { assertRefused, startServer, type TestServer, userSig } from './helpers.js';
import { eventually, rawSocket, userQuery, watch } from './stream-clients.js';

// openim/query_online_status and im_open_login_svc/kick, answered from the live event stream sockets.

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('on1', 'on2', 'off1', 'gone');
  await s.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] });
});
after(() => s.close());

const query = (body: unknown) => s.ok('openim/query_online_status', body);

describe('query_online_status', () => {
  test('Online while a device is connected, with each device\'s platform when asked; accounts not imported in ErrorList', async () => {
    const phone = await watch(s.url, 'on1', { platform: 'iPhone' });
    const web = await watch(s.url, 'on1', { platform: 'Web' });
    const on2 = await watch(s.url, 'on2', { platform: 'Android' });
    const plain = await query({ To_Account: ['on1', 'off1', 'on2', 'never', 'gone', 'not a user id', 'on1'] });
    assert.deepEqual(plain['QueryResult'], [
      { To_Account: 'on1', Status: 'Online' },
      { To_Account: 'off1', Status: 'Offline' },
      { To_Account: 'on2', Status: 'Online' },
    ]);
    assert.deepEqual(plain['ErrorList'], ['never', 'gone', 'not a user id'].map((To_Account) => ({ To_Account, ErrorCode: 70107 })));
    const detailed = await query({ IsNeedDetail: 1, To_Account: ['on1', 'off1', 'on2'] });
    const [first, second, third] = detailed['QueryResult'] as { To_Account: string; Status: string; Detail?: { Platform: string; Status: string }[] }[];
    assert.deepEqual(first?.Detail?.map((d) => d.Platform).sort(), ['Web', 'iPhone']);
    assert.deepEqual(first?.Detail?.map((d) => d.Status), ['Online', 'Online']);
    assert.deepEqual(second, { To_Account: 'off1', Status: 'Offline' });
    assert.deepEqual(third?.Detail, [{ Platform: 'Android', Status: 'Online' }]);
    assert.deepEqual(detailed['ErrorList'], []);
    // A device that leaves is no longer counted; the last one leaving makes the user Offline.
    phone.stream.close();
    const afterPhone = async () => ((await query({ IsNeedDetail: 1, To_Account: ['on1'] }))['QueryResult'] as { Detail?: unknown[] }[])[0]?.Detail?.length;
    for (let i = 0; i < 100 && (await afterPhone()) !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await afterPhone(), 1);
    web.stream.close();
    on2.stream.close();
    for (let i = 0; i < 100 && ((await query({ To_Account: ['on1'] }))['QueryResult'] as { Status: string }[])[0]?.Status !== 'Offline'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await query({ To_Account: ['on1', 'on2'] }))['QueryResult'], [
      { To_Account: 'on1', Status: 'Offline' },
      { To_Account: 'on2', Status: 'Offline' },
    ]);
  });

  test('refuses a To_Account that is missing, empty, over 500 or not strings, and flags other than 0 and 1', async () => {
    for (const body of [{}, { To_Account: [] }, { To_Account: 'on1' }, { To_Account: [1] }, { To_Account: Array.from({ length: 501 }, (_, i) => `u${i}`) }, { To_Account: ['on1'], IsNeedDetail: 2 }, { To_Account: ['on1'], IsReturnInstid: '1' }]) {
      assertRefused(await s.call('openim/query_online_status', body), 70402);
    }
    const most = await query({ To_Account: Array.from({ length: 500 }, (_, i) => `u${i}`) });
    assert.equal((most['ErrorList'] as unknown[]).length, 500);
  });
});

describe('kick', () => {
  test('closes the user\'s sockets with 4001, refuses its earlier UserSigs (70001), and lets a newer one in', async () => {
    const on2 = await watch(s.url, 'on2');
    const other = await watch(s.url, 'on1');
    await s.ok('im_open_login_svc/kick', { UserID: 'on2' });
    await eventually(() => on2.closes.length === 1, 'the kicked socket to close');
    assert.deepEqual(on2.closes[0], { code: CloseCode.Kicked, reason: '70001 kicked by im_open_login_svc/kick; this UserSig no longer works', willReconnect: false });
    assert.equal(other.closes.length, 0, 'nobody else');
    const old = await rawSocket(s.url, userQuery('on2', { usersig: userSig('on2', { time: Math.floor(Date.now() / 1000) - 5 }) })).closed;
    assert.equal(old.code, CloseCode.Refused);
    assert.match(old.reason, /^70001 .*kick/);
    const newer = await watch(s.url, 'on2', { userSig: userSig('on2', { time: Math.floor(Date.now() / 1000) + 1 }) });
    assert.equal(((await query({ To_Account: ['on2'] }))['QueryResult'] as { Status: string }[])[0]?.Status, 'Online');
    for (const w of [newer, other]) w.stream.close();
  });

  test('refuses a UserID that is missing or malformed (70402) or not imported (70107)', async () => {
    assertRefused(await s.call('im_open_login_svc/kick', {}), 70402);
    assertRefused(await s.call('im_open_login_svc/kick', { UserID: 'a b' }), 70402);
    assertRefused(await s.call('im_open_login_svc/kick', { UserID: 'never' }), 70107);
    assert.equal((await s.call('im_open_login_svc/kick', { UserID: 'off1' })).ErrorCode, 0, 'a user with no device is kicked all the same');
  });
});
