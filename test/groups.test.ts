import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('o', 'u1', 'u2', 'u3', 'outsider');
});
after(() => s.close());

type Msg = Record<string, unknown>;
const create = async (body: Record<string, unknown>) => (await s.ok('group_open_http_svc/create_group', body))['GroupId'] as string;

describe('create_group and members', () => {
  test('every type, auto and custom GroupIds, owner and initial members, read back by get_group_info', async () => {
    for (const type of ['Private', 'Work', 'Public', 'ChatRoom', 'Meeting', 'AVChatRoom', 'Community']) {
      assert.match(await create({ Type: type, Name: type }), type === 'Community' ? /^@TGS#_[A-Z0-9]{9}$/ : /^@TGS#[A-Z0-9]{9}$/);
    }
    const id = await create({
      Owner_Account: 'o', Type: 'Public', GroupId: 'my-group_1', Name: 'Ünïcode name', Introduction: 'intro', Notification: 'note', FaceUrl: 'http://f',
      MaxMemberCount: 3, ApplyJoinOption: 'FreeAccess', AppDefinedData: [{ Key: 'k', Value: 'v' }], EnablePermission: 0,
      MemberList: [{ Member_Account: 'u1', Role: 'Admin', AppMemberDefinedData: [{ Key: 'mk', Value: 'mv' }] }],
    });
    assert.equal(id, 'my-group_1');
    const info = await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [id, 'nope-group', 'bad id'] });
    const [g, missing, bad] = info['GroupInfo'] as Msg[];
    assert.deepEqual([g?.['ErrorCode'], g?.['Type'], g?.['Name'], g?.['Owner_Account'], g?.['MemberNum'], g?.['MaxMemberNum'], g?.['NextMsgSeq'], g?.['ApplyJoinOption']], [0, 'Public', 'Ünïcode name', 'o', 2, 3, 1, 'FreeAccess']);
    assert.deepEqual(g?.['AppDefinedData'], [{ Key: 'k', Value: 'v' }]);
    assert.deepEqual((g?.['MemberList'] as Msg[]).map((m) => [m['Member_Account'], m['Role']]).sort(), [['o', 'Owner'], ['u1', 'Admin']]);
    assert.equal(missing?.['ErrorCode'], 10010);
    assert.equal(bad?.['ErrorCode'], 10015);
    assert.equal((await s.call('group_open_http_svc/create_group', { Type: 'Public', GroupId: 'my-group_1', Name: 'again' })).ErrorCode, 10021);
    const add = await s.ok('group_open_http_svc/add_group_member', { GroupId: id, MemberList: [{ Member_Account: 'u2' }, { Member_Account: 'u1' }, { Member_Account: 'ghost' }] });
    assert.deepEqual((add['MemberList'] as Msg[]).map((m) => m['Result']), [1, 2, 0]);
    assert.equal((await s.call('group_open_http_svc/add_group_member', { GroupId: id, MemberList: [{ Member_Account: 'u3' }] })).ErrorCode, 10014);
    await s.ok('group_open_http_svc/delete_group_member', { GroupId: id, MemberToDel_Account: ['u2', 'outsider'] });
    assert.equal((await s.call('group_open_http_svc/delete_group_member', { GroupId: id, MemberToDel_Account: ['o'] })).ErrorCode, 10004);
    const after = await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [id] });
    assert.equal((after['GroupInfo'] as Msg[])[0]?.['MemberNum'], 2);
  });

  const bad: [string, Record<string, unknown>, number][] = [
    ['no Type', { Name: 'x' }, 10004],
    ['unknown Type', { Type: 'Secret', Name: 'x' }, 10004],
    ['no Name', { Type: 'Public' }, 10004],
    ['Name over 30 bytes', { Type: 'Public', Name: 'é'.repeat(16) }, 10004],
    ['Introduction over 240 bytes', { Type: 'Public', Name: 'x', Introduction: 'i'.repeat(241) }, 10004],
    ['custom GroupId starting with @TGS#', { Type: 'Public', Name: 'x', GroupId: '@TGS#MINE' }, 10004],
    ['custom GroupId of 49 bytes', { Type: 'Public', Name: 'x', GroupId: 'g'.repeat(49) }, 10004],
    ['custom GroupId with a space', { Type: 'Public', Name: 'x', GroupId: 'a b' }, 10004],
    ['owner not imported', { Type: 'Public', Name: 'x', Owner_Account: 'ghost' }, 10004],
    ['member not imported', { Type: 'Public', Name: 'x', MemberList: [{ Member_Account: 'ghost' }] }, 10004],
    ['SupportTopic on a Public group', { Type: 'Public', Name: 'x', SupportTopic: 1 }, 10004],
    ['members in an AVChatRoom', { Type: 'AVChatRoom', Name: 'x', MemberList: [{ Member_Account: 'u1' }] }, 10007],
    ['MaxMemberCount negative', { Type: 'Public', Name: 'x', MaxMemberCount: -1 }, 10004],
    ['AppMemberDefinedData not a list', { Type: 'Public', Name: 'x', AppMemberDefinedData: { Key: 'k' } }, 10004],
  ];
  for (const [name, body, code] of bad) {
    test(`create_group: ${name} → ${code}`, async () => {
      const r = await s.call('group_open_http_svc/create_group', body);
      assert.equal(r.ErrorCode, code, r.ErrorInfo);
      assert.notEqual(r.ErrorInfo, '');
    });
  }
});

describe('send_group_msg and group_msg_get_simple', () => {
  let gid: string;
  before(async () => {
    gid = await create({ Owner_Account: 'o', Type: 'Private', Name: 'chat', MemberList: [{ Member_Account: 'u1' }] });
  });

  test('paging through 100 messages, 20 at a time, newest first, with no gap or repeat', async () => {
    for (let i = 1; i <= 100; i++) {
      const r = await s.ok('group_open_http_svc/send_group_msg', { GroupId: gid, From_Account: i % 2 ? 'o' : 'u1', Random: 10_000 + i, MsgPriority: 'High', MsgBody: text(`g${i}`), CloudCustomData: `cc${i}` });
      assert.equal(r['MsgSeq'], i);
    }
    const seen: number[] = [];
    let req: number | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: gid, ReqMsgNumber: 20, ...(req === undefined ? {} : { ReqMsgSeq: req }) });
      const list = r['RspMsgList'] as Msg[];
      assert.equal(r['GroupId'], gid);
      assert.equal(r['IsFinished'], 1);
      if (list.length === 0) break;
      const seqs = list.map((m) => m['MsgSeq'] as number);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
      seen.push(...seqs);
      const first = list[0];
      assert.deepEqual([first?.['MsgBody'], first?.['CloudCustomData'], first?.['MsgPriority'], first?.['IsPlaceMsg']], [text(`g${seqs[0]}`), `cc${seqs[0]}`, 1, 0]);
      req = Math.min(...seqs) - 1;
      if (req < 1) break;
    }
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => 100 - i));
  });

  test('a Random seen in the last 5 minutes is a duplicate: same MsgSeq back, nothing stored', async () => {
    const a = await s.ok('group_open_http_svc/send_group_msg', { GroupId: gid, From_Account: 'o', Random: 424242, MsgBody: text('once') });
    const b = await s.ok('group_open_http_svc/send_group_msg', { GroupId: gid, From_Account: 'u1', Random: 424242, MsgBody: text('twice') });
    assert.deepEqual([b['MsgSeq'], b['MsgTime']], [a['MsgSeq'], a['MsgTime']]);
    s.clock.advance(301);
    const c = await s.ok('group_open_http_svc/send_group_msg', { GroupId: gid, From_Account: 'o', Random: 424242, MsgBody: text('later') });
    assert.equal(c['MsgSeq'], (a['MsgSeq'] as number) + 1);
  });

  const bad: [string, (g: string) => Record<string, unknown>, number][] = [
    ['GroupId missing', () => ({ Random: 1, MsgBody: text('x') }), 10004],
    ['GroupId malformed', () => ({ GroupId: 'x'.repeat(49), Random: 1, MsgBody: text('x') }), 10015],
    ['group does not exist', () => ({ GroupId: '@TGS#ABSENT000', Random: 1, MsgBody: text('x') }), 10010],
    ['Random missing', (g) => ({ GroupId: g, MsgBody: text('x') }), 10004],
    ['Random over u32', (g) => ({ GroupId: g, Random: 2 ** 32, MsgBody: text('x') }), 10004],
    ['sender not a member', (g) => ({ GroupId: g, From_Account: 'outsider', Random: 1, MsgBody: text('x') }), 10007],
    ['sender not imported', (g) => ({ GroupId: g, From_Account: 'ghost', Random: 1, MsgBody: text('x') }), 10004],
    ['MsgBody invalid', (g) => ({ GroupId: g, Random: 1, MsgBody: [{ MsgType: 'TIMTextElem' }] }), 10004],
    ['over 12 KB', (g) => ({ GroupId: g, Random: 1, MsgBody: text('x'.repeat(12_300)) }), 80002],
    ['MsgPriority unknown', (g) => ({ GroupId: g, Random: 1, MsgBody: text('x'), MsgPriority: 'Urgent' }), 10004],
    ['TopicId on a plain group', (g) => ({ GroupId: g, TopicId: 't', Random: 1, MsgBody: text('x') }), 10004],
  ];
  for (const [name, body, code] of bad) {
    test(`send_group_msg: ${name} → ${code}`, async () => {
      const before = (await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [gid] }))['GroupInfo'] as Msg[];
      const r = await s.call('group_open_http_svc/send_group_msg', body(gid));
      assert.equal(r.ErrorCode, code, r.ErrorInfo);
      const after = (await s.ok('group_open_http_svc/get_group_info', { GroupIdList: [gid] }))['GroupInfo'] as Msg[];
      assert.equal(after[0]?.['NextMsgSeq'], before[0]?.['NextMsgSeq'], 'no MsgSeq was used');
    });
  }

  test('group_msg_get_simple and group_msg_recall refuse bad parameters', async () => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['group_msg_get_simple', { GroupId: gid, ReqMsgNumber: 0 }, 10004],
      ['group_msg_get_simple', { GroupId: gid, ReqMsgNumber: 5, ReqMsgSeq: -1 }, 10004],
      ['group_msg_get_simple', { GroupId: gid }, 10004],
      ['group_msg_get_simple', { GroupId: '@TGS#ABSENT000', ReqMsgNumber: 5 }, 10010],
      ['group_msg_recall', { GroupId: gid, MsgSeqList: Array.from({ length: 11 }, (_, i) => ({ MsgSeq: i + 1 })) }, 10004],
      ['group_msg_recall', { GroupId: gid, MsgSeqList: [] }, 10004],
      ['group_msg_recall', { GroupId: gid, MsgSeqList: [{ MsgSeq: 0 }] }, 10004],
      ['group_msg_recall', { GroupId: 'bad id', MsgSeqList: [{ MsgSeq: 1 }] }, 10015],
    ];
    for (const [api, body, code] of cases) assert.equal((await s.call(`group_open_http_svc/${api}`, body)).ErrorCode, code, `${api} ${JSON.stringify(body).slice(0, 80)}`);
  });
});

test('200 sends to one group from 50 concurrent connections get MsgSeq exactly 1..200', async () => {
  const gid = await create({ Type: 'ChatRoom', Name: 'busy', Owner_Account: 'o' });
  let next = 0;
  const seqs: number[] = [];
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < 200) {
        const i = next++;
        const r = await s.ok('group_open_http_svc/send_group_msg', { GroupId: gid, Random: 500_000 + i, MsgBody: text(`c${i}`) });
        seqs.push(r['MsgSeq'] as number);
      }
    }),
  );
  assert.deepEqual([...seqs].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
  const stored = await s.deps.store.groupHistory(1400123456, gid, '', 1000, 1000, true);
  assert.deepEqual(stored.map((m) => m.seq).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
});

test('an internal failure in a group API answers 10002 with a request id, HTTP 200', async () => {
  const broken = await startServer();
  try {
    await broken.users('x');
    const gid = (await broken.ok('group_open_http_svc/create_group', { Type: 'Public', Name: 'doomed', Owner_Account: 'x' }))['GroupId'] as string;
    await broken.deps.store.close();
    const r = await broken.call('group_open_http_svc/send_group_msg', { GroupId: gid, Random: 1, MsgBody: text('x') });
    assert.equal(r.ErrorCode, 10002);
    assert.match(r.ErrorInfo, /request id [0-9a-f]+/);
  } finally {
    await broken.close();
  }
});
