import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
let groupId: string;
before(async () => {
  s = await startServer();
  await s.users('owner', 'm1', 'm2');
  const g = await s.ok('group_open_http_svc/create_group', { Owner_Account: 'owner', Type: 'Public', Name: 'seed group', MemberList: [{ Member_Account: 'm1' }] });
  groupId = g['GroupId'] as string;
  for (let i = 1; i <= 25; i++) await s.ok('group_open_http_svc/send_group_msg', { GroupId: groupId, From_Account: i % 2 ? 'owner' : 'm1', Random: i, MsgBody: text(`msg ${i}`) });
});
after(() => s.close());

type Msg = Record<string, unknown>;

async function message(gid: string, seq: number, topicId?: string): Promise<Msg | undefined> {
  const r = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: gid, ReqMsgNumber: 1, ReqMsgSeq: seq, WithRecalledMsg: 1, ...(topicId ? { TopicId: topicId } : {}) });
  return (r['RspMsgList'] as Msg[])[0];
}

const SUCCESS = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"succeed"}';

async function raw(body: unknown): Promise<string> {
  const { userSig, TEST_APP } = await import('./helpers.js');
  const r = await fetch(`${s.url}/v4/openim/modify_group_msg?sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${userSig()}&random=99999999&contenttype=json`, { method: 'POST', body: JSON.stringify(body) });
  return r.text();
}

test('the auto GroupId looks like the seed\'s "@TGS#1HYEP2SHC"', () => {
  assert.match(groupId, /^@TGS#[A-Z0-9]{9}$/);
});

test('seed sample 1 (MsgBody only) on MsgSeq 23 of a real group answers the seed response exactly', async () => {
  assert.equal(await raw({ GroupId: groupId, MsgSeq: 23, MsgBody: text('hello') }), SUCCESS);
  const m = await message(groupId, 23);
  assert.deepEqual([m?.['MsgSeq'], m?.['MsgBody'], m?.['CloudCustomData'], m?.['From_Account'], m?.['MsgRandom']], [23, text('hello'), '', 'owner', 23]);
  assert.deepEqual((await message(groupId, 22))?.['MsgBody'], text('msg 22'), 'neighbours untouched');
});

test('seed sample 2 (CloudCustomData only) leaves MsgBody as it was', async () => {
  assert.equal(await raw({ GroupId: groupId, MsgSeq: 23, CloudCustomData: 'your cloud custom data' }), SUCCESS);
  const m = await message(groupId, 23);
  assert.deepEqual([m?.['MsgBody'], m?.['CloudCustomData']], [text('hello'), 'your cloud custom data']);
});

test('seed sample 3 (both) replaces both; MsgSeq, MsgRandom, MsgTimeStamp never change', async () => {
  const before = await message(groupId, 24);
  assert.equal(await raw({ GroupId: groupId, MsgSeq: 24, MsgBody: text('hello'), CloudCustomData: 'your cloud custom data' }), SUCCESS);
  const m = await message(groupId, 24);
  assert.deepEqual([m?.['MsgBody'], m?.['CloudCustomData']], [text('hello'), 'your cloud custom data']);
  for (const f of ['MsgSeq', 'MsgRandom', 'MsgTimeStamp', 'From_Account']) assert.equal(m?.[f], before?.[f]);
  const e = s.events.find((x) => x.type === 'group.modified' && x.seq === 24);
  assert.ok(e?.type === 'group.modified' && e.operator === 'administrator' && e.topicId === '');
});

test('each check of decisions.md §6 answers its code, in the stated order, and changes nothing', async () => {
  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live' }))['GroupId'] as string;
  const community = (await s.ok('group_open_http_svc/create_group', { Type: 'Community', Name: 'c', SupportTopic: 1 }))['GroupId'] as string;
  const cases: [string, Record<string, unknown>, number][] = [
    ['GroupId missing (and MsgSeq bad)', { MsgSeq: -1 }, 20001],
    ['GroupId not a string', { GroupId: 12, MsgSeq: 1, MsgBody: text('x') }, 20001],
    ['GroupId malformed', { GroupId: 'has space', MsgSeq: 1, MsgBody: text('x') }, 10015],
    ['group not found (before a bad MsgSeq)', { GroupId: '@TGS#NOSUCHGRP', MsgSeq: 0 }, 10010],
    ['MsgSeq missing', { GroupId: groupId, MsgBody: text('x') }, 20001],
    ['MsgSeq 0', { GroupId: groupId, MsgSeq: 0, MsgBody: text('x') }, 20001],
    ['MsgSeq negative', { GroupId: groupId, MsgSeq: -3, MsgBody: text('x') }, 20001],
    ['MsgSeq huge', { GroupId: groupId, MsgSeq: 2 ** 40, MsgBody: text('x') }, 20001],
    ['MsgSeq a string', { GroupId: groupId, MsgSeq: '23', MsgBody: text('x') }, 20001],
    ['AVChatRoom (before a bad TopicId and nothing to modify)', { GroupId: av, MsgSeq: 1, TopicId: 'x' }, 10007],
    ['TopicId on a group without topics', { GroupId: groupId, MsgSeq: 1, TopicId: `${groupId}@TOPIC#_a`, MsgBody: text('x') }, 10004],
    ['TopicId not found', { GroupId: community, MsgSeq: 1, TopicId: `${community}@TOPIC#_none` }, 10010],
    ['nothing to modify', { GroupId: groupId, MsgSeq: 1 }, 20001],
    ['MsgBody not an array', { GroupId: groupId, MsgSeq: 1, MsgBody: 'hi' }, 90007],
    ['MsgBody empty', { GroupId: groupId, MsgSeq: 1, MsgBody: [] }, 90002],
    ['CloudCustomData not a string', { GroupId: groupId, MsgSeq: 1, CloudCustomData: 7 }, 90010],
    ['over 12 KB', { GroupId: groupId, MsgSeq: 1, CloudCustomData: 'x'.repeat(12_289) }, 90010],
    ['no such MsgSeq', { GroupId: groupId, MsgSeq: 999, MsgBody: text('x') }, 20026],
  ];
  for (const [name, body, code] of cases) {
    const r = await s.call('openim/modify_group_msg', body);
    assert.equal(r.ErrorCode, code, `${name}: ${r.ErrorInfo}`);
    assert.notEqual(r.ErrorInfo, '');
  }
  assert.deepEqual((await message(groupId, 1))?.['MsgBody'], text('msg 1'));
});

test('recall then modify → 20023; the recalled message shows IsPlaceMsg 2 with WithRecalledMsg', async () => {
  const r = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: 5 }, { MsgSeq: 999 }] });
  assert.deepEqual(r['RecallRetList'], [{ MsgSeq: 5, RetCode: 0 }, { MsgSeq: 999, RetCode: 10030 }]);
  const again = await s.ok('group_open_http_svc/group_msg_recall', { GroupId: groupId, MsgSeqList: [{ MsgSeq: 5 }] });
  assert.deepEqual(again['RecallRetList'], [{ MsgSeq: 5, RetCode: 10032 }]);
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: groupId, MsgSeq: 5, MsgBody: text('x') })).ErrorCode, 20023);
  const m = await message(groupId, 5);
  assert.deepEqual([m?.['IsPlaceMsg'], m?.['MsgBody'], m?.['MsgSeq']], [2, [], 5]);
  const without = await s.ok('group_open_http_svc/group_msg_get_simple', { GroupId: groupId, ReqMsgNumber: 3, ReqMsgSeq: 6 });
  assert.deepEqual((without['RspMsgList'] as Msg[]).map((x) => x['MsgSeq']), [6, 4, 3], 'a recalled message is skipped and the page filled from older ones');
});

test('topics have their own MsgSeq from 1, and modify_group_msg with TopicId reaches only that topic', async () => {
  const c = (await s.ok('group_open_http_svc/create_group', { Owner_Account: 'owner', Type: 'Community', Name: 'community', SupportTopic: 1 }))['GroupId'] as string;
  assert.match(c, /^@TGS#_[A-Z0-9]{9}$/);
  const t1 = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: c, TopicName: 'one' }))['TopicId'] as string;
  const t2 = (await s.ok('million_group_open_http_svc/create_topic', { GroupId: c, TopicId: `${c}@TOPIC#_two`, TopicName: 'two' }))['TopicId'] as string;
  assert.match(t1, new RegExp(`^${c.replace(/[$#@]/g, '\\$&')}@TOPIC#_[A-Z0-9]{9}$`));
  assert.equal(t2, `${c}@TOPIC#_two`);
  const seqs = [];
  for (const [topic, i] of [[t1, 1], [t2, 2], [t1, 3], [t2, 4], [t1, 5]] as const) {
    seqs.push((await s.ok('group_open_http_svc/send_group_msg', { GroupId: c, TopicId: topic, From_Account: 'owner', Random: i, MsgBody: text(`${topic}:${i}`) }))['MsgSeq']);
  }
  assert.deepEqual(seqs, [1, 1, 2, 2, 3]);
  await s.ok('openim/modify_group_msg', { GroupId: c, TopicId: t2, MsgSeq: 2, MsgBody: text('edited in two') });
  assert.deepEqual((await message(c, 2, t2))?.['MsgBody'], text('edited in two'));
  assert.deepEqual((await message(c, 2, t1))?.['MsgBody'], text(`${t1}:3`));
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: c, MsgSeq: 2, MsgBody: text('x') })).ErrorCode, 20026, 'the community itself has no message 2');
  const info = await s.ok('million_group_open_http_svc/get_topic', { GroupId: c });
  const infos = (info['TopicAndSelfInfo'] as { TopicInfo: Msg }[]).map((t) => t.TopicInfo);
  assert.deepEqual(infos.map((t) => [t['TopicId'], t['NextMsgSeq']]).sort(), [[t1, 4], [t2, 3]].sort());
  const d = await s.ok('million_group_open_http_svc/destroy_topic', { GroupId: c, TopicIdList: [t2, `${c}@TOPIC#_gone`] });
  assert.deepEqual((d['DestroyResultItem'] as Msg[]).map((x) => x['ErrorCode']), [0, 110003]);
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: c, TopicId: t2, MsgSeq: 1, MsgBody: text('x') })).ErrorCode, 10010);
  assert.equal((await s.call('million_group_open_http_svc/create_topic', { GroupId: c, TopicId: `${c}@TOPIC#_two`, TopicName: 'again' })).ErrorCode, 0, 'a destroyed TopicId is free again');
  assert.equal((await s.call('million_group_open_http_svc/create_topic', { GroupId: c, TopicId: `${c}@TOPIC#_two`, TopicName: 'again' })).ErrorCode, 10021);
  assert.equal((await s.call('million_group_open_http_svc/create_topic', { GroupId: c, TopicId: 'other@TOPIC#_x', TopicName: 'bad' })).ErrorCode, 10004);
  assert.equal((await s.call('million_group_open_http_svc/create_topic', { GroupId: groupId, TopicName: 'not a community' })).ErrorCode, 10004);
});

test('AVChatRoom: sending works (MsgSeq grows), nothing is stored, history and modify are refused', async () => {
  const av = (await s.ok('group_open_http_svc/create_group', { Type: 'AVChatRoom', Name: 'live', Owner_Account: 'owner' }))['GroupId'] as string;
  const a = await s.ok('group_open_http_svc/send_group_msg', { GroupId: av, From_Account: 'm2', Random: 1, MsgBody: text('live 1') });
  const b = await s.ok('group_open_http_svc/send_group_msg', { GroupId: av, From_Account: 'm2', Random: 2, MsgBody: text('live 2') });
  assert.deepEqual([a['MsgSeq'], b['MsgSeq']], [1, 2], 'non-members may speak in an AVChatRoom');
  assert.equal((await s.call('group_open_http_svc/group_msg_get_simple', { GroupId: av, ReqMsgNumber: 5 })).ErrorCode, 10007);
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: av, MsgSeq: 1, MsgBody: text('x') })).ErrorCode, 10007);
  const stored = await s.deps.store.groupHistory(1400123456, av, '', 10, 10, true);
  assert.equal(stored.length, 0);
});

test('destroy then modify → 10010; the group\'s history is gone', async () => {
  const g = (await s.ok('group_open_http_svc/create_group', { Type: 'Private', Name: 'short-lived', Owner_Account: 'owner' }))['GroupId'] as string;
  await s.ok('group_open_http_svc/send_group_msg', { GroupId: g, From_Account: 'owner', Random: 1, MsgBody: text('bye') });
  await s.ok('group_open_http_svc/destroy_group', { GroupId: g });
  assert.equal((await s.call('openim/modify_group_msg', { GroupId: g, MsgSeq: 1, MsgBody: text('x') })).ErrorCode, 10010);
  assert.equal((await s.call('group_open_http_svc/group_msg_get_simple', { GroupId: g, ReqMsgNumber: 1 })).ErrorCode, 10010);
  assert.equal((await s.call('group_open_http_svc/destroy_group', { GroupId: g })).ErrorCode, 10010);
  assert.equal((await s.deps.store.groupHistory(1400123456, g, '', 10, 10, true)).length, 0);
});
