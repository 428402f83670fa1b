import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
let key: string;
let random = 1;
before(async () => {
  s = await startServer();
  await s.users('a', 'b', 'c');
  key = await send('a', 'b', 'original');
});
after(() => s.close());

async function send(from: string, to: string, t: string, cloudCustomData?: string): Promise<string> {
  const r = await s.ok('openim/sendmsg', { From_Account: from, To_Account: to, MsgRandom: random++, MsgBody: text(t), ...(cloudCustomData === undefined ? {} : { CloudCustomData: cloudCustomData }) });
  return r['MsgKey'] as string;
}

async function stored(from: string, to: string, msgKey: string): Promise<Record<string, unknown> | undefined> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: from, Peer_Account: to, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return (r['MsgList'] as Record<string, unknown>[]).find((m) => m['MsgKey'] === msgKey);
}

const modify = (body: Record<string, unknown>) => s.call('openim/modify_c2c_msg', body);

test('each check of decisions.md §5 answers its code, in the stated order, and changes nothing', async () => {
  const ok = { From_Account: 'a', To_Account: 'b', MsgKey: '', MsgBody: text('new') };
  const cases: [string, Record<string, unknown>, number][] = [
    ['From_Account missing (and everything else wrong)', { MsgKey: 'bad', MsgBody: 5 }, 20001],
    ['From_Account not a string', { ...ok, From_Account: 1 }, 20001],
    ['From_Account not imported (before a missing To_Account)', { From_Account: 'zz', MsgKey: 'bad' }, 20003],
    ['To_Account missing (before a bad MsgKey)', { From_Account: 'a', MsgKey: 'bad' }, 90003],
    ['To_Account not a string', { ...ok, To_Account: ['b'] }, 90003],
    ['To_Account not imported (before a bad MsgKey)', { From_Account: 'a', To_Account: 'zz', MsgKey: 'bad' }, 90012],
    ['MsgKey missing', { From_Account: 'a', To_Account: 'b', MsgBody: text('x') }, 20001],
    ['MsgKey malformed (before nothing to modify)', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2' }, 20001],
    ['MsgKey part over u32', { ...ok, MsgKey: '1_2_99999999999' }, 20001],
    ['nothing to modify', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3' }, 20001],
    ['MsgBody not an array (before not found)', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', MsgBody: 'hello' }, 90007],
    ['MsgBody empty', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', MsgBody: [] }, 90002],
    ['MsgBody element invalid', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: {} }] }, 90002],
    ['CloudCustomData not a string', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', CloudCustomData: 7 }, 90010],
    ['new content over 12 KB', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', MsgBody: text('x'.repeat(12_300)) }, 90010],
    ['no such message', { From_Account: 'a', To_Account: 'b', MsgKey: '1_2_3', MsgBody: text('x') }, 20026],
  ];
  for (const [name, body, code] of cases) {
    const r = await modify(body);
    assert.equal(r.ErrorCode, code, `${name}: ${r.ErrorInfo}`);
    assert.equal(r.ActionStatus, 'FAIL');
    assert.notEqual(r.ErrorInfo, '');
  }
  assert.deepEqual((await stored('a', 'b', key))?.['MsgBody'], text('original'));
});

test('the message key names one direction: b→a with the a→b key is 20026', async () => {
  assert.equal((await modify({ From_Account: 'b', To_Account: 'a', MsgKey: key, MsgBody: text('x') })).ErrorCode, 20026);
});

test('a stored CloudCustomData counts toward 12 KB after a MsgBody-only modification', async () => {
  const k = await send('a', 'c', 'short', 'd'.repeat(6000));
  const r = await modify({ From_Account: 'a', To_Account: 'c', MsgKey: k, MsgBody: text('e'.repeat(6400)) });
  assert.equal(r.ErrorCode, 90010);
  assert.deepEqual((await stored('a', 'c', k))?.['MsgBody'], text('short'));
  assert.equal((await modify({ From_Account: 'a', To_Account: 'c', MsgKey: k, MsgBody: text('e'.repeat(6000)) })).ErrorCode, 0);
});

test('recall then modify → 20023', async () => {
  const k = await send('b', 'a', 'to recall');
  await s.ok('openim/admin_msgwithdraw', { From_Account: 'b', To_Account: 'a', MsgKey: k });
  const r = await modify({ From_Account: 'b', To_Account: 'a', MsgKey: k, CloudCustomData: 'x' });
  assert.equal(r.ErrorCode, 20023);
  assert.equal((await stored('a', 'b', k))?.['MsgFlagBits'], 8);
});

test('concurrent modifications of different fields both take effect; of one field, one whole value wins', async () => {
  for (let round = 0; round < 10; round++) {
    const k = await send('a', 'b', `c${round}`);
    const results = await Promise.all([
      modify({ From_Account: 'a', To_Account: 'b', MsgKey: k, MsgBody: text(`body-${round}`) }),
      modify({ From_Account: 'a', To_Account: 'b', MsgKey: k, CloudCustomData: `data-${round}` }),
      modify({ From_Account: 'a', To_Account: 'b', MsgKey: k, MsgBody: text(`other-${round}`), CloudCustomData: `other-${round}` }),
    ]);
    assert.deepEqual(results.map((r) => r.ErrorCode), [0, 0, 0]);
    const m = await stored('a', 'b', k);
    const bodyText = (m?.['MsgBody'] as { MsgContent: { Text: string } }[])[0]?.MsgContent.Text;
    assert.ok([`body-${round}`, `other-${round}`].includes(String(bodyText)));
    assert.ok([`data-${round}`, `other-${round}`].includes(String(m?.['CloudCustomData'])));
  }
});

test('two sequential modifications: the later one wins, and each event carries the content after it', async () => {
  const k = await send('c', 'a', 'v0', 'd0');
  await s.ok('openim/modify_c2c_msg', { From_Account: 'c', To_Account: 'a', MsgKey: k, MsgBody: text('v1') });
  await s.ok('openim/modify_c2c_msg', { From_Account: 'c', To_Account: 'a', MsgKey: k, CloudCustomData: 'd2' });
  const m = await stored('a', 'c', k);
  assert.deepEqual([m?.['MsgBody'], m?.['CloudCustomData']], [text('v1'), 'd2']);
  await new Promise((r) => setImmediate(r));
  const events = s.events.filter((e) => e.type === 'c2c.modified' && e.msgKey === k);
  assert.equal(events.length, 2);
  const last = events[1];
  assert.ok(last?.type === 'c2c.modified');
  assert.deepEqual([JSON.parse(last.body), last.cloudCustomData, last.operator, last.from, last.to], [text('v1'), 'd2', 'administrator', 'c', 'a']);
});

test('a deleted sender\'s messages can still be modified (to scrub them)', async () => {
  await s.users('leaver');
  const k = await send('leaver', 'a', 'private');
  await s.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'leaver' }] });
  assert.equal((await modify({ From_Account: 'leaver', To_Account: 'a', MsgKey: k, MsgBody: text('[removed]') })).ErrorCode, 0);
  assert.deepEqual((await stored('a', 'leaver', k))?.['MsgBody'], text('[removed]'));
});
