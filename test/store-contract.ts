import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LeasedCallback, NewCallback, Store } from '../src/store/types.js';
import { c2cSubject, groupSubject, withoutContent } from '../src/store/rows.js';

const APP = 1;
const body = (t: string) => JSON.stringify([{ MsgType: 'TIMTextElem', MsgContent: { Text: t } }]);
const send = (over: Partial<Parameters<Store['sendC2C']>[1]> = {}) => ({
  from: 'a',
  recipients: ['b'],
  seq: 1,
  random: 1,
  time: 1000,
  body: body('x'),
  cloudCustomData: '',
  crc: 1,
  senderSync: true,
  dedupSince: 0,
  ...over,
});
const newGroup = (groupId: string, type: 'Public' | 'AVChatRoom' | 'Community' = 'Public') => ({
  groupId,
  type,
  name: groupId,
  owner: 'a',
  introduction: '',
  notification: '',
  faceUrl: '',
  maxMemberCount: 10,
  applyJoinOption: 'FreeAccess',
  inviteJoinOption: 'FreeAccess',
  supportTopic: type === 'Community',
  appDefinedData: '[]',
  members: [{ account: 'a', role: 'Owner' as const }],
  createTime: 1000,
});
const groupSend = (groupId: string, random: number, over: Partial<Parameters<Store['sendGroupMessage']>[1]> = {}) => ({
  groupId,
  topicId: '',
  from: 'a',
  random,
  time: 1000,
  priority: 2,
  body: body(`g${random}`),
  cloudCustomData: '',
  keep: true,
  dedupSince: 0,
  memberOnly: true,
  toAccounts: [],
  ...over,
});

/** An after-callback row as a handler would build it. */
const callback = (id: string, createdAt = 1000): NewCallback => ({
  app: APP,
  deliveryId: id,
  command: 'C2C.CallbackAfterSendMsg',
  clientIp: '127.0.0.1',
  body: JSON.stringify({ CallbackCommand: 'C2C.CallbackAfterSendMsg', id }),
  createdAt,
});

/**
 * The storage contract, written once and run against every store. `open` gives a fresh, empty
 * store for each test.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
    const s = await open();
    try {
      await s.importAccounts(APP, [{ userId: 'a' }, { userId: 'b' }, { userId: 'c' }]);
      await fn(s);
    } finally {
      await s.close();
    }
  }

  describe(`${name}: store contract`, () => {
    test('accounts: import, delete, re-import; apps are separate', () =>
      withStore(async (s) => {
        assert.deepEqual([...(await s.accountStates(APP, ['a', 'zz'])).values()], ['active', 'none']);
        assert.deepEqual([await s.accountState(APP, 'a'), await s.accountState(APP, 'zz')], ['active', 'none']);
        assert.deepEqual([...(await s.deleteAccounts(APP, ['a', 'zz'])).values()], [true, false]);
        assert.equal((await s.accountStates(APP, ['a'])).get('a'), 'deleted');
        assert.equal(await s.accountState(APP, 'a'), 'deleted');
        assert.deepEqual([await s.accountKnown(APP, 'a'), await s.accountKnown(APP, 'zz'), await s.accountKnown(2, 'a')], [true, false, false], 'a deleted account stays known');
        await s.importAccounts(APP, [{ userId: 'a', nick: 'again' }]);
        assert.equal((await s.accountStates(APP, ['a'])).get('a'), 'active');
        assert.equal((await s.accountStates(2, ['a'])).get('a'), 'none');
      }));

    test('one-to-one: stored, duplicate inside the window, key taken, unknown parties', () =>
      withStore(async (s) => {
        assert.deepEqual(await s.sendC2C(APP, send()), { kind: 'stored', failed: new Map() });
        assert.deepEqual(await s.sendC2C(APP, send({ time: 1100, dedupSince: 980 })), { kind: 'duplicate', time: 1000 });
        assert.deepEqual(await s.sendC2C(APP, send({ crc: 2, body: body('y') })), { kind: 'stored', failed: new Map([['b', 'key_taken']]) });
        assert.deepEqual(await s.sendC2C(APP, send({ seq: 2, recipients: ['b', 'zz'] })), { kind: 'stored', failed: new Map([['zz', 'recipient_unknown']]) });
        assert.deepEqual(await s.sendC2C(APP, send({ from: 'zz' })), { kind: 'sender_unknown' });
      }));

    test('one-to-one paging: newest page first, oldest first inside, a cursor never splits one MsgKey', () =>
      withStore(async (s) => {
        // The same MsgKey in both directions, and others around it in the same second.
        await s.sendC2C(APP, send({ seq: 5, random: 5 }));
        await s.sendC2C(APP, send({ from: 'b', recipients: ['a'], seq: 5, random: 5 }));
        await s.sendC2C(APP, send({ seq: 6, random: 1 }));
        await s.sendC2C(APP, send({ seq: 4, random: 9 }));
        const q = { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 2 };
        const p1 = await s.pageC2C(APP, q);
        assert.deepEqual(p1.messages.map((m) => m.seq), [6]);
        assert.equal(p1.complete, false);
        const p2 = await s.pageC2C(APP, { ...q, before: { seq: 6, random: 1, time: 1000 } });
        assert.deepEqual(p2.messages.map((m) => [m.from, m.seq]).sort(), [['a', 5], ['b', 5]]);
        const p3 = await s.pageC2C(APP, { ...q, before: { seq: 5, random: 5, time: 1000 } });
        assert.deepEqual([p3.messages.map((m) => m.seq), p3.complete], [[4], true]);
        const one = await s.pageC2C(APP, { ...q, maxCount: 1, before: { seq: 6, random: 1, time: 1000 } });
        assert.equal(one.messages.length, 2, 'with MaxCnt 1 both messages of one key come together');
      }));

    test('one-to-one modify and recall', () =>
      withStore(async (s) => {
        await s.sendC2C(APP, send({ cloudCustomData: 'old' }));
        const ref = { from: 'a', to: 'b', seq: 1, random: 1, time: 1000 };
        assert.deepEqual(await s.modifyC2C(APP, { ...ref, seq: 9 }, { body: body('n'), maxSize: 100 }), { kind: 'not_found' });
        assert.deepEqual(await s.modifyC2C(APP, ref, { body: body('n'.repeat(200)), maxSize: 100 }), { kind: 'too_large' });
        const done = await s.modifyC2C(APP, ref, { body: body('new'), maxSize: 12288 });
        assert.ok(done.kind === 'ok');
        assert.deepEqual([done.body, done.cloudCustomData], [body('new'), 'old']);
        assert.equal(await s.recallC2C(APP, ref), 'ok');
        assert.equal(await s.recallC2C(APP, ref), 'recalled');
        assert.equal(await s.recallC2C(APP, { ...ref, to: 'c' }), 'not_found');
        assert.deepEqual(await s.modifyC2C(APP, ref, { cloudCustomData: 'x', maxSize: 12288 }), { kind: 'recalled' });
        const page = await s.pageC2C(APP, { owner: 'b', peer: 'a', minTime: 0, maxTime: 2000, maxCount: 10 });
        assert.deepEqual(page.messages.map((m) => [m.recalled, m.body, m.cloudCustomData]), [[true, '[]', '']]);
      }));

    test('one-to-one import, one-sided deletion, read state and unread counts', () =>
      withStore(async (s) => {
        const imp = { from: 'a', to: 'b', seq: 1, random: 1, time: 500, body: body('i'), cloudCustomData: '', crc: 7, countUnread: true };
        assert.equal(await s.importC2C(APP, imp), 'stored');
        assert.equal(await s.importC2C(APP, { ...imp, from: 'b', to: 'a', body: body('other') }), 'duplicate', 'either direction, content ignored');
        assert.equal(await s.importC2C(APP, { ...imp, from: 'zz' }), 'sender_unknown');
        assert.equal(await s.importC2C(APP, { ...imp, to: 'zz' }), 'recipient_unknown');
        assert.equal(await s.importC2C(APP, { ...imp, seq: 2, countUnread: false }), 'stored');
        await s.sendC2C(APP, send());
        await s.sendC2C(APP, send({ seq: 3, countUnread: false }));
        assert.deepEqual(await s.unreadC2C(APP, 'b', ['a', 'c']), { total: 2, byPeer: new Map([['a', 2], ['c', 0]]) });
        await s.setC2CRead(APP, 'b', 'a', 600);
        await s.setC2CRead(APP, 'b', 'a', 100);
        assert.equal((await s.unreadC2C(APP, 'b', [])).total, 1, 'read up to 600, never moved back');
        const page = await s.pageC2C(APP, { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 10 });
        assert.deepEqual(page.messages.map((m) => [m.time, m.seq, m.peerRead]), [[500, 1, true], [500, 2, true], [1000, 1, false], [1000, 3, false]]);
        const key = { seq: 1, random: 1, time: 1000 };
        assert.deepEqual(await s.deleteC2CForOwner(APP, 'b', 'a', [key, { seq: 9, random: 9, time: 9 }]), { hidden: 1, destroyed: 0 });
        assert.equal((await s.unreadC2C(APP, 'b', [])).total, 0);
        assert.equal((await s.pageC2C(APP, { owner: 'b', peer: 'a', minTime: 0, maxTime: 2000, maxCount: 10 })).messages.length, 3);
        assert.equal((await s.pageC2C(APP, { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 10 })).messages.length, 4);
        assert.deepEqual(await s.deleteC2CForOwner(APP, 'a', 'b', [key]), { hidden: 1, destroyed: 1 });
        assert.equal(await s.recallC2C(APP, { from: 'a', to: 'b', ...key }), 'not_found');
      }));

    test('one-to-one: modifications made together (one turn) each get their own outcome, in order', () =>
      withStore(async (s) => {
        for (const seq of [1, 2, 3]) await s.sendC2C(APP, send({ seq, random: seq }));
        const ref = (seq: number) => ({ from: 'a', to: 'b', seq, random: seq, time: 1000 });
        await s.recallC2C(APP, ref(3));
        const outcomes = await Promise.all([
          s.modifyC2C(APP, ref(1), { body: body('first'), maxSize: 12288 }),
          s.modifyC2C(APP, ref(2), { cloudCustomData: 'two', maxSize: 12288 }),
          s.modifyC2C(APP, ref(1), { body: body('second'), maxSize: 12288 }),
          s.modifyC2C(APP, ref(3), { body: body('x'), maxSize: 12288 }),
          s.modifyC2C(APP, ref(9), { body: body('x'), maxSize: 12288 }),
          s.modifyC2C(APP, ref(2), { body: body('y'.repeat(300)), maxSize: 100 }),
          s.modifyC2C(APP, ref(1), { cloudCustomData: 'third', maxSize: 12288 }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => (o.kind === 'ok' ? [o.body, o.cloudCustomData] : o.kind)),
          [[body('first'), ''], [body('x'), 'two'], [body('second'), ''], 'recalled', 'not_found', 'too_large', [body('second'), 'third']],
        );
        const page = await s.pageC2C(APP, { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 10 });
        assert.deepEqual(page.messages.map((m) => [m.seq, m.body, m.cloudCustomData]), [[1, body('second'), 'third'], [2, body('x'), 'two'], [3, '[]', '']]);
      }));

    test('groups: create once, members, gapless MsgSeq per group and topic, dedup, no history when not kept', () =>
      withStore(async (s) => {
        assert.equal(await s.createGroup(APP, newGroup('g1')), true);
        assert.equal(await s.createGroup(APP, newGroup('g1')), false);
        assert.equal(await s.createGroup(APP, newGroup('c1', 'Community')), true);
        const topic = { groupId: 'c1', topicId: 'c1@TOPIC#_t', name: 't', fromAccount: '', customString: '', faceUrl: '', notification: '', introduction: '', createTime: 1 };
        assert.equal(await s.createTopic(APP, topic), 'created');
        assert.equal(await s.createTopic(APP, topic), 'taken');
        assert.equal(await s.createTopic(APP, { ...topic, groupId: 'gone' }), 'group_not_found');
        const results = await Promise.all([1, 2, 3, 4].map((r) => s.sendGroupMessage(APP, groupSend('g1', r))));
        assert.deepEqual(results.map((r) => ('seq' in r ? r.seq : 0)).sort(), [1, 2, 3, 4]);
        // Concurrent sends may take their MsgSeq in any order; a duplicate answers the first one's.
        const seqOf2 = results[1] !== undefined && 'seq' in results[1] ? results[1].seq : 0;
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('g1', 2)), { kind: 'duplicate', seq: seqOf2, time: 1000 });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('g1', 7, { from: 'b' })), { kind: 'not_member' });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('nope', 7)), { kind: 'group_not_found' });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('c1', 7, { topicId: 'c1@TOPIC#_no' })), { kind: 'topic_not_found' });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('c1', 7, { topicId: 'c1@TOPIC#_t' })), { kind: 'stored', seq: 1, time: 1000 });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('g1', 8, { keep: false })), { kind: 'stored', seq: 5, time: 1000 });
        assert.deepEqual((await s.groupHistory(APP, 'g1', '', 10, 10, true)).map((m) => m.seq), [4, 3, 2, 1]);
        assert.equal((await s.getGroup(APP, 'g1'))?.nextMsgSeq, 6);
        const added = await s.addGroupMembers(APP, 'g1', ['b', 'a', 'zz'], 2000);
        assert.deepEqual(added instanceof Map ? [...added.values()] : added, ['added', 'already', 'unknown_account']);
        assert.equal((await s.groupMembers(APP, 'g1')).length, 2);
      }));

    test('groups: members keep their AppMemberDefinedData and last send time; targeted messages keep their recipients', () =>
      withStore(async (s) => {
        const members = [{ account: 'a', role: 'Owner' as const }, { account: 'b', role: 'Member' as const, appDefinedData: '[{"Key":"k","Value":"v"}]' }];
        await s.createGroup(APP, { ...newGroup('g3'), members });
        const b = await s.groupMember(APP, 'g3', 'b');
        assert.deepEqual([b?.role, b?.appDefinedData, b?.lastSendTime], ['Member', '[{"Key":"k","Value":"v"}]', 0]);
        assert.equal((await s.groupMember(APP, 'g3', 'a'))?.appDefinedData, '[]');
        assert.equal(await s.groupMember(APP, 'g3', 'c'), undefined);
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('g3', 1, { from: 'b', time: 1500, toAccounts: ['a'] })), { kind: 'stored', seq: 1, time: 1500 });
        assert.equal((await s.groupMember(APP, 'g3', 'b'))?.lastSendTime, 1500);
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('g3', 2, { toAccounts: ['a', 'c'] })), { kind: 'recipient_not_member', account: 'c' });
        assert.deepEqual((await s.groupHistory(APP, 'g3', '', 10, 10, true)).map((m) => [m.seq, m.toAccounts]), [[1, ['a']]]);
        assert.equal((await s.getGroup(APP, 'g3'))?.nextMsgSeq, 2, 'a refused targeted message takes no MsgSeq');
      }));

    test('groups: modify, recall, destroy', () =>
      withStore(async (s) => {
        await s.createGroup(APP, newGroup('g2'));
        await s.sendGroupMessage(APP, groupSend('g2', 1));
        await s.sendGroupMessage(APP, groupSend('g2', 2));
        const done = await s.modifyGroupMessage(APP, 'g2', '', 1, { cloudCustomData: 'cc', maxSize: 12288 });
        assert.ok(done.kind === 'ok' && done.cloudCustomData === 'cc' && done.body === body('g1'));
        assert.deepEqual(await s.modifyGroupMessage(APP, 'g2', '', 3, { cloudCustomData: 'cc', maxSize: 12288 }), { kind: 'not_found' });
        assert.equal(await s.recallGroupMessage(APP, 'g2', '', 2), 'ok');
        assert.equal(await s.recallGroupMessage(APP, 'g2', '', 2), 'recalled');
        assert.deepEqual(await s.modifyGroupMessage(APP, 'g2', '', 2, { cloudCustomData: 'cc', maxSize: 12288 }), { kind: 'recalled' });
        assert.deepEqual((await s.groupHistory(APP, 'g2', '', 10, 10, false)).map((m) => m.seq), [1]);
        assert.deepEqual(await s.groupKind(APP, 'g2'), { groupId: 'g2', type: 'Public', supportTopic: false });
        assert.equal(await s.destroyGroup(APP, 'g2'), true);
        assert.equal(await s.getGroup(APP, 'g2'), undefined);
        assert.equal(await s.groupKind(APP, 'g2'), undefined, 'a destroyed group is not remembered');
        assert.equal((await s.groupHistory(APP, 'g2', '', 10, 10, true)).length, 0);
        assert.equal(await s.destroyGroup(APP, 'g2'), false);
        await s.createGroup(APP, newGroup('g2', 'Community'));
        assert.deepEqual(await s.groupKind(APP, 'g2'), { groupId: 'g2', type: 'Community', supportTopic: true }, 'a re-used id is the new group');
      }));

    test('groups: imported members and messages, read positions, deletion by sender', () =>
      withStore(async (s) => {
        await s.createGroup(APP, { ...newGroup('gi'), members: [{ account: 'a', role: 'Owner' }] });
        const created = (await s.getGroup(APP, 'gi'))?.createTime ?? 0;
        const msg = (from: string, time: number, random: number, dedup = true) => ({ from, time, random, dedup, body: body(`i${random}`), cloudCustomData: `c${random}` });
        assert.equal(await s.importGroupMessages(APP, 'nope', [msg('a', created, 1)], created + 100, 300), 'group_not_found');
        assert.deepEqual(await s.importGroupMessages(APP, 'gi', [msg('a', created + 10, 1), msg('b', created + 5, 2), msg('b', created + 10, 3), msg('c', created + 1000, 4)], created + 100, 300), [
          { kind: 'stored', seq: 1, time: created + 10 },
          { kind: 'bad_time', time: created + 5 },
          { kind: 'stored', seq: 2, time: created + 10 },
          { kind: 'bad_time', time: created + 1000 },
        ]);
        assert.deepEqual(await s.importGroupMessages(APP, 'gi', [msg('a', created + 11, 1), msg('a', created + 12, 1, false)], created + 100, 300), [
          { kind: 'duplicate', seq: 1, time: created + 10 },
          { kind: 'stored', seq: 3, time: created + 12 },
        ]);
        assert.deepEqual((await s.groupHistory(APP, 'gi', '', 10, 10, true)).map((m) => [m.seq, m.from, m.time, m.cloudCustomData]), [
          [3, 'a', created + 12, 'c1'],
          [2, 'b', created + 10, 'c3'],
          [1, 'a', created + 10, 'c1'],
        ]);
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('gi', 9, { time: created + 50, from: 'c', memberOnly: false })), { kind: 'stored', seq: 4, time: created + 50 });
        assert.equal((await s.groupMember(APP, 'gi', 'a'))?.readSeq, 3, 'an import leaves every member with nothing unread');

        const imported = await s.importGroupMembers(APP, 'gi', [
          { account: 'b', role: 'Admin', joinTime: created + 1, unread: 1 },
          { account: 'a', role: 'Member', joinTime: created + 1, unread: undefined },
          { account: 'c', role: 'Member', joinTime: created - 1, unread: undefined },
          { account: 'ghost', role: 'Member', joinTime: created + 1, unread: undefined },
        ], created + 100);
        assert.deepEqual(imported instanceof Map ? [...imported] : imported, [['b', 'added'], ['a', 'already'], ['c', 'bad_time'], ['ghost', 'unknown_account']]);
        const b = await s.groupMember(APP, 'gi', 'b');
        assert.deepEqual([b?.role, b?.joinTime, b?.readSeq], ['Admin', created + 1, 3]);
        assert.equal(await s.importGroupMembers(APP, 'nope', [], created), 'group_not_found');
        await s.createGroup(APP, { ...newGroup('gsmall'), maxMemberCount: 1, members: [{ account: 'a', role: 'Owner' }] });
        assert.equal(await s.importGroupMembers(APP, 'gsmall', [{ account: 'b', role: 'Member', joinTime: created, unread: undefined }], created + 100), 'full');

        assert.equal(await s.setUnreadMsgNum(APP, 'gi', 'b', 10), 'ok');
        assert.equal((await s.groupMember(APP, 'gi', 'b'))?.readSeq, 0);
        assert.equal(await s.setUnreadMsgNum(APP, 'gi', 'b', 1), 'ok');
        assert.equal((await s.groupMember(APP, 'gi', 'b'))?.readSeq, 3);
        assert.equal(await s.setUnreadMsgNum(APP, 'gi', 'c', 1), 'not_member');
        assert.equal(await s.setUnreadMsgNum(APP, 'nope', 'b', 1), 'group_not_found');

        assert.equal(await s.deleteGroupMessagesBySender(APP, 'gi', 'a', 2), 1, 'only the newest two are searched');
        assert.deepEqual((await s.groupHistory(APP, 'gi', '', 10, 10, true)).map((m) => [m.seq, m.recalled, m.body, m.cloudCustomData]), [
          [4, false, body('g9'), ''],
          [3, true, '[]', ''],
          [2, false, body('i3'), 'c3'],
          [1, false, body('i1'), 'c1'],
        ]);
        assert.equal(await s.deleteGroupMessagesBySender(APP, 'gi', 'a', 1000), 1);
        assert.equal(await s.deleteGroupMessagesBySender(APP, 'gi', 'a', 1000), 0);
        assert.equal(await s.deleteGroupMessagesBySender(APP, 'nope', 'a', 1000), 'group_not_found');
      }));

    test('outbox: rows commit with the write that caused them, from its outcome; none when the write is rolled back', () =>
      withStore(async (s) => {
        const seen: string[] = [];
        const hook = (tag: string) => (outcome: unknown) => {
          seen.push(`${tag}:${JSON.stringify(outcome instanceof Object && 'kind' in outcome ? outcome.kind : outcome)}`);
          return [callback(tag)];
        };
        await s.sendC2C(APP, send(), hook('send'));
        await s.modifyC2C(APP, { from: 'a', to: 'b', seq: 1, random: 1, time: 1000 }, { cloudCustomData: 'x', maxSize: 12288 }, hook('modify'));
        await s.recallC2C(APP, { from: 'a', to: 'b', seq: 1, random: 1, time: 1000 }, hook('recall'));
        await s.createGroup(APP, newGroup('g'));
        await s.sendGroupMessage(APP, groupSend('g', 1), hook('gsend'));
        await s.modifyGroupMessage(APP, 'g', '', 1, { cloudCustomData: 'x', maxSize: 12288 }, hook('gmodify'));
        await s.recallGroupMessage(APP, 'g', '', 1, hook('grecall'));
        // The hook sees refusals too, and adds nothing for them.
        await s.recallGroupMessage(APP, 'g', '', 9, (outcome) => (outcome === 'ok' ? [callback('never')] : []));
        await s.enqueueCallbacks([callback('loose')]);
        assert.deepEqual(seen, ['send:"stored"', 'modify:"ok"', 'recall:"ok"', 'gsend:"stored"', 'gmodify:"ok"', 'grecall:"ok"']);
        // A hook that throws takes its write down with it: neither the message nor a row is kept.
        await assert.rejects(
          s.sendC2C(APP, send({ seq: 77 }), () => {
            throw new Error('no');
          }),
        );
        const page = await s.pageC2C(APP, { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 100 });
        assert.ok(!page.messages.some((m) => m.seq === 77), 'the write rolled back with its hook');
        const claimed = await s.claimCallbacks(1000, 100, 100);
        assert.deepEqual(claimed.map((c) => c.deliveryId).sort(), ['gmodify', 'grecall', 'gsend', 'loose', 'modify', 'recall', 'send']);
        const first = claimed[0];
        assert.ok(first !== undefined);
        assert.equal(first.attempts, 1);
        assert.equal(first.body, callback(first.deliveryId).body);
        assert.equal(first.clientIp, '127.0.0.1');
      }));

    test('outbox: claims lease rows; settling retries, delivers or fails them; failed ones are listed and purged', () =>
      withStore(async (s) => {
        await s.enqueueCallbacks([callback('r1', 1000), callback('r2', 1001), callback('r3', 5000)]);
        assert.deepEqual((await s.claimCallbacks(999, 10, 100)).length, 0, 'nothing is due before its time');
        const claimed = await s.claimCallbacks(2000, 10, 100);
        assert.deepEqual(claimed.map((c) => [c.deliveryId, c.attempts]), [['r1', 1], ['r2', 1]], 'due rows, oldest first');
        assert.equal((await s.claimCallbacks(2050, 10, 100)).length, 0, 'leased rows go to no other claim');
        const again = await s.claimCallbacks(2101, 10, 100);
        assert.deepEqual(again.map((c) => [c.deliveryId, c.attempts]), [['r1', 2], ['r2', 2]], 'a lease that ran out frees the row');
        const [r1, r2] = again;
        assert.ok(r1 !== undefined && r2 !== undefined);
        await s.settleCallbacks([{ id: r1.id, attempts: 1, settlement: { kind: 'delivered' } }]);
        assert.equal((await s.claimCallbacks(2300, 10, 100)).length, 2, 'a stale settlement (an older attempt) is ignored');
        await s.settleCallbacks([{ id: r1.id, attempts: 3, settlement: { kind: 'delivered' } }]);
        await s.settleCallbacks([{ id: r2.id, attempts: 3, settlement: { kind: 'retry', at: 9000, error: 'HTTP 500' } }]);
        assert.equal((await s.claimCallbacks(8999, 10, 100)).filter((c) => c.deliveryId !== 'r3').length, 0, 'a retry waits for its time');
        const r2again = (await s.claimCallbacks(9000, 10, 100)).find((c) => c.deliveryId === 'r2');
        assert.equal(r2again?.attempts, 4);
        await s.settleCallbacks([{ id: r2.id, attempts: 4, settlement: { kind: 'failed', at: 9500, error: 'connect ECONNREFUSED' } }]);
        assert.equal((await s.claimCallbacks(99_999, 10, 100)).filter((c) => c.deliveryId === 'r2').length, 0, 'a failed row is never claimed');
        const failed = await s.failedCallbacks(APP, 10, 0);
        assert.deepEqual(failed.map((f) => [f.deliveryId, f.attempts, f.failedAt, f.lastError]), [['r2', 4, 9500, 'connect ECONNREFUSED']]);
        assert.equal((await s.failedCallbacks(2, 10, 0)).length, 0, 'per app');
        assert.equal((await s.failedCallbacks(APP, 10, failed[0]?.id ?? 0)).length, 0, 'paged by id');
        assert.equal(await s.purgeFailedCallbacks(9500), 0);
        assert.equal(await s.purgeFailedCallbacks(9501), 1);
        assert.equal((await s.failedCallbacks(APP, 10, 0)).length, 0);
      }));

    test('outbox: rows born claimed go to the listener once committed, with their ids, and to no claim before their lease ends', () =>
      withStore(async (s) => {
        const heard: LeasedCallback[] = [];
        s.onCallbacksCommitted((rows) => heard.push(...rows));
        const leased = (id: string): NewCallback => ({ ...callback(id, 1000), leasedUntil: 5000 });
        await s.importAccounts(APP, [{ userId: 'a' }, { userId: 'b' }]);
        await s.sendC2C(APP, send(), () => [leased('l1'), callback('due1')]);
        await assert.rejects(
          s.sendC2C(APP, send({ seq: 78 }), () => {
            throw new Error('no');
          }),
        );
        // A write that throws after its hook ran: its rows are not heard of.
        await assert.rejects(
          s.sendC2C(APP, send({ seq: 79 }), (outcome) => {
            if (outcome.kind === 'stored') return [leased('never'), { ...leased('bad'), app: Number.NaN }];
            return [];
          }),
        );
        await s.enqueueCallbacks([leased('l2')]);
        assert.deepEqual(heard.map((r) => [r.deliveryId, r.attempts, r.leasedUntil]), [['l1', 1, 5000], ['l2', 1, 5000]], 'only committed rows born claimed');
        assert.ok(heard.every((r) => Number.isInteger(r.id) && r.id > 0));
        assert.deepEqual((await s.claimCallbacks(4999, 10, 100)).map((c) => c.deliveryId), ['due1'], 'rows born claimed are no claim\'s before their lease ends');
        const later = await s.claimCallbacks(5000, 10, 100);
        assert.deepEqual(later.map((c) => [c.deliveryId, c.attempts]).sort(), [['l1', 2], ['l2', 2]], 'then any claim takes them, as a second attempt');
        const l1 = heard[0];
        assert.ok(l1 !== undefined);
        await s.settleCallbacks([{ id: l1.id, attempts: 1, settlement: { kind: 'delivered' } }]);
        assert.equal((await s.claimCallbacks(9000, 10, 100)).filter((c) => c.deliveryId === 'l1').length, 1, 'the first attempt settling late changes nothing');
        await s.settleCallbacks(later.map((c) => ({ id: c.id, attempts: c.attempts + 1, settlement: { kind: 'delivered' } })));
        assert.deepEqual((await s.claimCallbacks(99_999, 10, 100)).map((c) => c.deliveryId), ['due1'], 'settled together, in one call');
      }));

    test('outbox: callbacks read back carry their message as it now is (modified, recalled, destroyed); the outbox keeps no content (decisions §5)', () =>
      withStore(async (s) => {
        await s.importAccounts(APP, [{ userId: 'a' }, { userId: 'b' }]);
        const content = (id: string, subject: string): NewCallback => {
          const payload = { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: JSON.parse(body('old')) as unknown, CloudCustomData: 'old data', Other: id };
          return { ...callback(id), subject, body: JSON.stringify(payload), storedBody: withoutContent(payload) };
        };
        const bodies = async (now: number): Promise<Record<string, unknown>> =>
          Object.fromEntries((await s.claimCallbacks(now, 100, 1)).map((c) => [c.deliveryId, JSON.parse(c.body)]));
        const m1 = { from: 'a', to: 'b', seq: 1, random: 1, time: 1000 };
        const m2 = { from: 'a', to: 'b', seq: 2, random: 2, time: 1000 };
        await s.sendC2C(APP, send());
        await s.sendC2C(APP, send({ seq: 2, random: 2 }));
        await s.createGroup(APP, newGroup('gs'));
        await s.sendGroupMessage(APP, groupSend('gs', 1));
        await s.sendGroupMessage(APP, groupSend('gs', 2));
        await s.enqueueCallbacks([
          content('c1', c2cSubject('a', 'b', 1, 1, 1000)),
          content('c2', c2cSubject('a', 'b', 2, 2, 1000)),
          content('g1', groupSubject('gs', '', 1)),
          content('g2', groupSubject('gs', '', 2)),
          content('other', c2cSubject('a', 'b', 9, 9, 1000)),
        ]);
        await s.modifyC2C(APP, m1, { body: body('new'), maxSize: 12288 });
        await s.recallC2C(APP, m2);
        await s.modifyGroupMessage(APP, 'gs', '', 1, { cloudCustomData: 'new data', maxSize: 12288 });
        await s.recallGroupMessage(APP, 'gs', '', 2);
        const after = await bodies(1e12);
        assert.deepEqual(after['c1'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: JSON.parse(body('new')), CloudCustomData: '', Other: 'c1' }, 'modified: the content as the message now has it, the rest as it was');
        assert.deepEqual(after['c2'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: [], CloudCustomData: '', Other: 'c2' }, 'recalled: no content');
        assert.deepEqual(after['g1'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: JSON.parse(body('g1')), CloudCustomData: 'new data', Other: 'g1' });
        assert.deepEqual(after['g2'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: [], CloudCustomData: '', Other: 'g2' });
        assert.deepEqual(after['other'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: [], CloudCustomData: '', Other: 'other' }, 'a message that does not exist has no content');
        // A key a payload does not have is not added.
        await s.enqueueCallbacks([{ ...callback('bare'), subject: groupSubject('gs', '', 1) }]);
        await s.destroyGroup(APP, 'gs');
        const destroyed = await bodies(2e12);
        assert.deepEqual(destroyed['g1'], { CallbackCommand: 'C2C.CallbackAfterSendMsg', MsgBody: [], CloudCustomData: '', Other: 'g1' }, 'a destroyed group leaves no content');
        assert.deepEqual(destroyed['bare'], JSON.parse(callback('bare').body));
      }));

    test('outbox: concurrent claims never hand out one row twice', () =>
      withStore(async (s) => {
        await s.enqueueCallbacks(Array.from({ length: 30 }, (_, i) => callback(`c${i}`)));
        const [x, y] = await Promise.all([s.claimCallbacks(2000, 20, 10_000), s.claimCallbacks(2000, 20, 10_000)]);
        const ids = [...x, ...y].map((c) => c.deliveryId);
        assert.equal(new Set(ids).size, ids.length, 'no row in both claims');
        assert.equal(ids.length, 30, 'every due row was claimed');
      }));

    test('group administration: profile changes, roles, owner change, mutes refuse sends, member pages', () =>
      withStore(async (s) => {
        const g = { ...newGroup('adm'), maxMemberCount: 100, appDefinedData: JSON.stringify([{ Key: 'x', Value: '1' }]), members: [{ account: 'a', role: 'Owner' as const }, { account: 'b', role: 'Member' as const }] };
        assert.equal(await s.createGroup(APP, g), true);
        assert.equal(await s.modifyGroup(APP, 'nope', { name: 'n', time: 2000 }), 'group_not_found');
        assert.deepEqual(await s.modifyGroup(APP, 'adm', { maxMemberCount: 1, time: 2000 }), { kind: 'below_members', members: 2 });
        assert.equal(await s.modifyGroup(APP, 'adm', { name: 'renamed', muteAll: true, appDefinedData: [{ Key: 'x', Value: '' }, { Key: 'y', Value: '2' }], time: 2000 }), 'ok');
        const group = await s.getGroup(APP, 'adm');
        assert.deepEqual([group?.name, group?.infoSeq, group?.lastInfoTime, group?.muteAll, group?.appDefinedData], ['renamed', 2, 2000, true, JSON.stringify([{ Key: 'y', Value: '2' }])]);
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('adm', 1, { from: 'b' })), { kind: 'muted', until: 0 });
        assert.equal((await s.sendGroupMessage(APP, groupSend('adm', 2, { from: 'a' }))).kind, 'stored', 'the owner sends while all are muted');
        await s.modifyGroup(APP, 'adm', { muteAll: false, time: 2001 });
        assert.deepEqual(await s.muteGroupMembers(APP, 'adm', ['b', 'c'], 5000), { kind: 'not_member', account: 'c' });
        assert.equal(await s.muteGroupMembers(APP, 'adm', ['a'], 5000), 'owner');
        assert.equal(await s.muteGroupMembers(APP, 'adm', ['b'], 5000), 'ok');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('adm', 3, { from: 'b', time: 4999 })), { kind: 'muted', until: 5000 });
        assert.equal((await s.sendGroupMessage(APP, groupSend('adm', 4, { from: 'b', time: 5000 }))).kind, 'stored', 'the mute has ended');
        assert.deepEqual((await s.mutedGroupMembers(APP, 'adm', 4000)).map((m) => m.account), ['b']);
        assert.deepEqual(await s.mutedGroupMembers(APP, 'adm', 5000), []);
        const b = await s.groupMember(APP, 'adm', 'b');
        assert.deepEqual([b?.readSeq, b?.lastSendTime], [2, 5000]);
        assert.equal(await s.modifyGroupMember(APP, 'adm', 'a', { role: 'Member' }), 'owner');
        assert.equal(await s.modifyGroupMember(APP, 'adm', 'c', { nameCard: 'x' }), 'not_member');
        assert.equal(await s.modifyGroupMember(APP, 'adm', 'b', { role: 'Admin', nameCard: 'bee', appDefinedData: [{ Key: 'k', Value: 'v' }], muteUntil: 0 }), 'ok');
        assert.deepEqual(Object.fromEntries(await s.memberRoles(APP, 'adm', ['a', 'b', 'c'])), { a: 'Owner', b: 'Admin' });
        assert.equal(await s.changeGroupOwner(APP, 'adm', 'c', 3000), 'not_member');
        assert.equal(await s.changeGroupOwner(APP, 'adm', 'b', 3000), 'ok');
        assert.deepEqual(Object.fromEntries(await s.memberRoles(APP, 'adm', ['a', 'b'])), { a: 'Member', b: 'Owner' });
        assert.equal((await s.getGroup(APP, 'adm'))?.owner, 'b');
        const ids = Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, '0')}`);
        await s.importAccounts(APP, ids.map((userId) => ({ userId })));
        assert.equal((await s.addGroupMembers(APP, 'adm', ids, 1500)) instanceof Map, true);
        const seen: string[] = [];
        let after: { joinTime: number; account: string } | undefined;
        for (;;) {
          const page = await s.groupMemberPage(APP, 'adm', { offset: 0, limit: 4, roles: ['Member'], ...(after === undefined ? {} : { after }) });
          assert.equal(page.total, 27);
          seen.push(...page.members.map((m) => m.account));
          const last = page.members[page.members.length - 1];
          if (!page.more || last === undefined) break;
          after = { joinTime: last.joinTime, account: last.account };
        }
        assert.deepEqual(seen, ['a', ...ids], 'Members only, in join order, none skipped or repeated');
        const byOffset = await s.groupMemberPage(APP, 'adm', { offset: 20, limit: 100 });
        assert.deepEqual([byOffset.members.length, byOffset.more], [7, false]);
      }));

    test('profiles: tags per account, Nick and FaceUrl shared with account_import', () =>
      withStore(async (s) => {
        await s.importAccounts(APP, [{ userId: 'a', nick: 'Alice' }]);
        assert.equal(await s.setProfile(APP, 'zz', [{ tag: 'Tag_Profile_IM_Gender', value: '"Gender_Type_Male"' }]), false);
        assert.equal(await s.setProfile(APP, 'a', [{ tag: 'Tag_Profile_IM_Image', value: '"http://face"' }, { tag: 'Tag_Profile_Custom_x', value: '7' }]), true);
        const got = await s.getProfiles(APP, ['a', 'b', 'zz'], ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image', 'Tag_Profile_Custom_x', 'Tag_Profile_IM_Gender']);
        assert.deepEqual(Object.fromEntries(got.get('a') ?? []), { Tag_Profile_IM_Nick: '"Alice"', Tag_Profile_IM_Image: '"http://face"', Tag_Profile_Custom_x: '7' });
        assert.deepEqual(Object.fromEntries(got.get('b') ?? []), {});
        assert.equal(got.has('zz'), false);
        await s.importAccounts(APP, [{ userId: 'a', nick: 'Al' }]);
        assert.equal((await s.getProfiles(APP, ['a'], ['Tag_Profile_IM_Nick'])).get('a')?.get('Tag_Profile_IM_Nick'), '"Al"');
      }));

    test('group lists: app pages by a creation cursor that never repeats or skips; joined groups in join order', () =>
      withStore(async (s) => {
        for (const id of ['z1', 'a1', 'm1', 'b1']) assert.equal(await s.createGroup(APP, newGroup(id)), true);
        assert.equal(await s.createGroup(APP, newGroup('c1', 'Community')), true);
        const p1 = await s.appGroupPage(APP, { after: 0, limit: 2 });
        assert.deepEqual([p1.groupIds, p1.total], [['z1', 'a1'], 5], 'creation order, not GroupId order');
        assert.ok(p1.next > 0);
        // Destroy a listed group and one not yet listed, create two: the cursor moves on without repeats.
        await s.destroyGroup(APP, 'a1');
        await s.destroyGroup(APP, 'm1');
        assert.equal(await s.createGroup(APP, newGroup('m1')), true, 'a destroyed GroupId may come back');
        assert.equal(await s.createGroup(APP, newGroup('n1')), true);
        const p2 = await s.appGroupPage(APP, { after: p1.next, limit: 10 });
        assert.deepEqual([p2.groupIds, p2.total, p2.next], [['b1', 'c1', 'm1', 'n1'], 5, 0]);
        const typed = await s.appGroupPage(APP, { after: 0, limit: 1, types: ['Community'] });
        assert.deepEqual([typed.groupIds, typed.total, typed.next], [['c1'], 1, 0]);
        assert.deepEqual((await s.appGroupPage(2, { after: 0, limit: 10 })).total, 0, 'apps are separate');

        await s.addGroupMembers(APP, 'n1', ['b'], 2000);
        await s.addGroupMembers(APP, 'b1', ['b'], 3000);
        await s.addGroupMembers(APP, 'c1', ['b'], 1500);
        const all = await s.joinedGroupPage(APP, 'b', { types: ['Public', 'Community'], topicsOnly: false, offset: 0 });
        assert.deepEqual([all.groupIds, all.total], [['c1', 'n1', 'b1'], 3]);
        const page = await s.joinedGroupPage(APP, 'b', { types: ['Public'], topicsOnly: false, offset: 1, limit: 1 });
        assert.deepEqual([page.groupIds, page.total], [['b1'], 2]);
        const topics = await s.joinedGroupPage(APP, 'b', { types: ['Public', 'Community'], topicsOnly: true, offset: 0 });
        assert.deepEqual([topics.groupIds, topics.total], [['c1'], 1]);
        assert.deepEqual(await s.joinedGroupPage(APP, 'c', { types: ['Public'], topicsOnly: false, offset: 0 }), { groupIds: [], total: 0 });
      }));

    test('modifyTopic: the given fields replace the stored ones; an unknown topic changes nothing', () =>
      withStore(async (s) => {
        await s.createGroup(APP, newGroup('c1', 'Community'));
        await s.createTopic(APP, { groupId: 'c1', topicId: 'c1@TOPIC#_t', name: 't', fromAccount: '', customString: 'cs', faceUrl: 'f', notification: 'n', introduction: 'i', createTime: 1 });
        assert.equal(await s.modifyTopic(APP, 'c1', 'c1@TOPIC#_t', { name: 'T', introduction: '', muteAll: true }), 'ok');
        const t = await s.getTopic(APP, 'c1', 'c1@TOPIC#_t');
        assert.deepEqual([t?.name, t?.customString, t?.faceUrl, t?.notification, t?.introduction, t?.muteAll], ['T', 'cs', 'f', 'n', '', true]);
        assert.equal(await s.modifyTopic(APP, 'c1', 'c1@TOPIC#_x', { name: 'X' }), 'topic_not_found');
        assert.equal(await s.modifyTopic(APP, 'c1', 'c1@TOPIC#_t', { muteAll: false }), 'ok');
        assert.equal((await s.getTopic(APP, 'c1', 'c1@TOPIC#_t'))?.muteAll, false);
      }));

    test("a topic's muteAll refuses members' sends to that topic only; the owner still sends; the group's mute is named first", () =>
      withStore(async (s) => {
        await s.createGroup(APP, { ...newGroup('cm', 'Community'), members: [{ account: 'a', role: 'Owner' as const }, { account: 'b', role: 'Member' as const }] });
        const topic = (id: string) => ({ groupId: 'cm', topicId: `cm@TOPIC#_${id}`, name: id, fromAccount: '', customString: '', faceUrl: '', notification: '', introduction: '', createTime: 1 });
        await s.createTopic(APP, topic('quiet'));
        await s.createTopic(APP, topic('open'));
        assert.equal(await s.modifyTopic(APP, 'cm', 'cm@TOPIC#_quiet', { muteAll: true }), 'ok');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 1, { from: 'b', topicId: 'cm@TOPIC#_quiet' })), { kind: 'muted', until: 0, topic: true });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 2, { from: 'b', topicId: 'cm@TOPIC#_open' })), { kind: 'stored', seq: 1, time: 1000 });
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 3, { from: 'b' })), { kind: 'stored', seq: 1, time: 1000 }, 'the group itself is not muted');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 4, { from: 'a', topicId: 'cm@TOPIC#_quiet' })), { kind: 'stored', seq: 1, time: 1000 }, 'the owner sends; the refusal took no MsgSeq');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 5, { from: 'b', topicId: 'cm@TOPIC#_none' })), { kind: 'topic_not_found' });
        assert.equal(await s.modifyGroup(APP, 'cm', { muteAll: true, time: 2000 }), 'ok');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 6, { from: 'b', topicId: 'cm@TOPIC#_quiet' })), { kind: 'muted', until: 0 });
        await s.modifyGroup(APP, 'cm', { muteAll: false, time: 2001 });
        assert.equal(await s.modifyTopic(APP, 'cm', 'cm@TOPIC#_quiet', { muteAll: false }), 'ok');
        assert.deepEqual(await s.sendGroupMessage(APP, groupSend('cm', 7, { from: 'b', topicId: 'cm@TOPIC#_quiet' })), { kind: 'stored', seq: 2, time: 1000 });
      }));

    test('many concurrent writes all resolve, each once, and a closed store refuses more', async () => {
      const s = await open();
      await s.importAccounts(APP, [{ userId: 'a' }, { userId: 'b' }]);
      const outcomes = await Promise.all(Array.from({ length: 1000 }, (_, i) => s.sendC2C(APP, send({ seq: i, random: i }))));
      assert.ok(outcomes.every((o) => o.kind === 'stored' && o.failed.size === 0));
      const page = await s.pageC2C(APP, { owner: 'a', peer: 'b', minTime: 0, maxTime: 2000, maxCount: 100 });
      assert.equal(page.messages.length, 100);
      await s.close();
      await assert.rejects(s.sendC2C(APP, send({ seq: 5000 })));
      assert.equal(await s.healthy(), false);
    });

    test('archive pages: an app\'s messages of a time range, not recalled, in key order, continued after the last', () =>
      withStore(async (s) => {
        // Ties in one second from several senders and receivers, some outside the range or another app's.
        await s.sendC2C(APP, send({ from: 'b', recipients: ['a'], seq: 1, random: 1, time: 1000 }));
        await s.sendC2C(APP, send({ recipients: ['c', 'b'], seq: 2, random: 2, time: 1000 }));
        await s.sendC2C(APP, send({ seq: 1, random: 9, time: 1000 }));
        await s.sendC2C(APP, send({ seq: 3, random: 3, time: 999 }));
        await s.sendC2C(APP, send({ seq: 4, random: 4, time: 1001, cloudCustomData: 'd' }));
        await s.sendC2C(APP, send({ seq: 5, random: 5, time: 1002 }));
        await s.sendC2C(APP, send({ seq: 6, random: 6, time: 1001 }));
        await s.recallC2C(APP, { from: 'a', to: 'b', seq: 6, random: 6, time: 1001 });
        await s.modifyC2C(APP, { from: 'a', to: 'b', seq: 4, random: 4, time: 1001 }, { body: body('new'), maxSize: 12288 });
        await s.importAccounts(2, [{ userId: 'a' }, { userId: 'b' }]);
        await s.sendC2C(2, send({ time: 1000 }));
        const pages: string[][] = [];
        let after;
        for (;;) {
          const page = await s.archiveC2C(APP, 1000, 1002, after, 2);
          if (page.length === 0) break;
          pages.push(page.map((m) => `${m.time} ${m.from}>${m.to} ${m.seq}_${m.random}`));
          after = page[page.length - 1];
        }
        assert.deepEqual(pages, [['1000 a>b 1_9', '1000 a>b 2_2'], ['1000 a>c 2_2', '1000 b>a 1_1'], ['1001 a>b 4_4']]);
        const modified = await s.archiveC2C(APP, 1001, 1002, undefined, 10);
        assert.deepEqual(modified.map((m) => [m.body, m.cloudCustomData, m.recalled]), [[body('new'), 'd', false]]);

        assert.equal(await s.createGroup(APP, newGroup('g2')), true);
        assert.equal(await s.createGroup(APP, newGroup('g1')), true);
        assert.equal(await s.createGroup(APP, newGroup('c1', 'Community')), true);
        await s.createTopic(APP, { groupId: 'c1', topicId: 'c1@TOPIC#_t', name: 't', fromAccount: '', customString: '', faceUrl: '', notification: '', introduction: '', createTime: 1 });
        await s.sendGroupMessage(APP, groupSend('g2', 1, { time: 1000 }));
        await s.sendGroupMessage(APP, groupSend('g1', 2, { time: 1000 }));
        await s.sendGroupMessage(APP, groupSend('g1', 3, { time: 1000 }));
        await s.sendGroupMessage(APP, groupSend('c1', 4, { time: 1000, topicId: 'c1@TOPIC#_t' }));
        await s.sendGroupMessage(APP, groupSend('c1', 5, { time: 1000 }));
        await s.sendGroupMessage(APP, groupSend('g1', 6, { time: 1001 }));
        await s.sendGroupMessage(APP, groupSend('g1', 7, { time: 1005 }));
        await s.recallGroupMessage(APP, 'g2', '', 1);
        const groupPages: string[][] = [];
        let groupAfter;
        for (;;) {
          const page = await s.archiveGroup(APP, 1000, 1005, groupAfter, 2);
          if (page.length === 0) break;
          groupPages.push(page.map((m) => `${m.time} ${m.groupId}/${m.topicId} ${m.seq}`));
          groupAfter = page[page.length - 1];
        }
        assert.deepEqual(groupPages, [['1000 c1/ 1', '1000 c1/c1@TOPIC#_t 1'], ['1000 g1/ 1', '1000 g1/ 2'], ['1001 g1/ 3']]);
        assert.deepEqual(await s.archiveGroup(2, 0, 2000, undefined, 10), []);
      }));
  });
}
