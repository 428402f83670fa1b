import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('p1', 'p2', 'p3');
});
after(() => s.close());

type Msg = Record<string, unknown>;

async function allPages(owner: string, peer: string, maxCnt: number, minTime = 0, maxTime = 4294967295): Promise<{ pages: Msg[][]; replies: Record<string, unknown>[] }> {
  const pages: Msg[][] = [];
  const replies: Record<string, unknown>[] = [];
  let cursor: { MaxTime: number; LastMsgKey?: string } = { MaxTime: maxTime };
  for (let i = 0; i < 1000; i++) {
    const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: maxCnt, MinTime: minTime, ...cursor });
    replies.push(r);
    pages.push(r['MsgList'] as Msg[]);
    if (r['Complete'] === 1) return { pages, replies };
    cursor = { MaxTime: r['LastMsgTime'] as number, LastMsgKey: r['LastMsgKey'] as string };
  }
  throw new Error('paging did not end');
}

test('paging through 250 messages sent in one second never skips or repeats one', async () => {
  s.clock.freeze();
  const sent: string[] = [];
  try {
    for (let i = 0; i < 250; i++) {
      // Seqs repeat (i % 7) so that order inside the second depends on MsgRandom too.
      const from = i % 3 === 0 ? 'p2' : 'p1';
      const r = await s.ok('openim/sendmsg', { From_Account: from, To_Account: from === 'p1' ? 'p2' : 'p1', MsgSeq: i % 7, MsgRandom: 1000 + i, MsgBody: text(`m${i}`) });
      sent.push(r['MsgKey'] as string);
    }
  } finally {
    s.clock.unfreeze();
  }
  for (const maxCnt of [1, 7, 100]) {
    const { pages, replies } = await allPages('p1', 'p2', maxCnt);
    const keys = pages.flat().map((m) => m['MsgKey'] as string);
    assert.equal(keys.length, 250, `MaxCnt ${maxCnt}: every message exactly once`);
    assert.equal(new Set(keys).size, 250);
    assert.deepEqual([...keys].sort(), [...sent].sort());
    for (const [i, page] of pages.entries()) {
      assert.ok(page.length <= maxCnt);
      const reply = replies[i] ?? {};
      assert.equal(reply['MsgCnt'], page.length);
      // Inside a page oldest first; LastMsgKey names the page's oldest message.
      if (page.length > 0) assert.equal(reply['LastMsgKey'], page[0]?.['MsgKey']);
      const order = page.map((m) => [m['MsgTimeStamp'], m['MsgSeq'], m['MsgRandom']] as number[]);
      const sorted = [...order].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0));
      assert.deepEqual(order, sorted);
    }
    assert.equal(replies.at(-1)?.['Complete'], 1);
    if (maxCnt < 250) assert.equal(replies[0]?.['Complete'], 0);
  }
});

test('MinTime and MaxTime bound the range; an empty range is complete with no messages', async () => {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: 'p1', Peer_Account: 'p2', MaxCnt: 10, MinTime: 1, MaxTime: 2 });
  assert.deepEqual([r['Complete'], r['MsgCnt'], r['LastMsgTime'], r['LastMsgKey'], r['MsgList']], [1, 0, 0, '', []]);
});

test('admin_getroammsg refuses bad parameters', async () => {
  const base = { Operator_Account: 'p1', Peer_Account: 'p2', MaxCnt: 10, MinTime: 0, MaxTime: 10 };
  const cases: [Record<string, unknown>, number][] = [
    [{ ...base, MaxCnt: 0 }, 20001],
    [{ ...base, MinTime: 11 }, 20001],
    [{ ...base, MaxTime: 'now' }, 20001],
    [{ ...base, LastMsgKey: 'x_y' }, 20001],
    [{ ...base, From_Account: 'p1' }, 20001],
    [{ ...base, Operator_Account: 'nobody' }, 90008],
    [{ ...base, Operator_Account: undefined }, 90008],
    [{ ...base, Peer_Account: 3 }, 90003],
  ];
  for (const [body, code] of cases) assert.equal((await s.call('openim/admin_getroammsg', body)).ErrorCode, code, JSON.stringify(body));
});

test('admin_msgwithdraw: recalled messages stay in history with MsgFlagBits 8 and no content', async () => {
  const r = await s.ok('openim/sendmsg', { From_Account: 'p3', To_Account: 'p1', MsgRandom: 5, MsgBody: text('secret'), CloudCustomData: 'secret data' });
  const key = r['MsgKey'] as string;
  assert.equal((await s.call('openim/admin_msgwithdraw', { From_Account: 'p3', To_Account: 'p1', MsgKey: key })).ErrorCode, 0);
  const m = (await allPages('p1', 'p3', 100)).pages.flat().find((x) => x['MsgKey'] === key);
  assert.equal(m?.['MsgFlagBits'], 8);
  assert.deepEqual(m?.['MsgBody'], []);
  assert.equal(m?.['CloudCustomData'], '');
  assert.equal((await s.call('openim/admin_msgwithdraw', { From_Account: 'p3', To_Account: 'p1', MsgKey: key })).ErrorCode, 20023);
  assert.equal((await s.call('openim/admin_msgwithdraw', { From_Account: 'p1', To_Account: 'p3', MsgKey: key })).ErrorCode, 20022, 'the key belongs to the other direction');
  assert.ok(s.events.some((e) => e.type === 'c2c.recalled' && e.msgKey === key));
});

test('admin_msgwithdraw refuses bad parameters', async () => {
  const cases: [Record<string, unknown>, number][] = [
    [{ From_Account: 'nobody', To_Account: 'p1', MsgKey: '1_2_3' }, 90008],
    [{ To_Account: 'p1', MsgKey: '1_2_3' }, 90008],
    [{ From_Account: 'p3', To_Account: 'nobody', MsgKey: '1_2_3' }, 90003],
    [{ From_Account: 'p3', MsgKey: '1_2_3' }, 90003],
    [{ From_Account: 'p3', To_Account: 'p1', MsgKey: '1_2' }, 90054],
    [{ From_Account: 'p3', To_Account: 'p1', MsgKey: '1_2_4294967296' }, 90054],
    [{ From_Account: 'p3', To_Account: 'p1', MsgKey: 123 }, 90054],
    [{ From_Account: 'p3', To_Account: 'p1', MsgKey: '1_2_3' }, 20022],
  ];
  for (const [body, code] of cases) assert.equal((await s.call('openim/admin_msgwithdraw', body)).ErrorCode, code, JSON.stringify(body));
});
