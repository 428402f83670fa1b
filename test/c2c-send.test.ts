import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer, text } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('alice', 'bob', 'carol', 'gone');
});
after(() => s.close());

let nextRandom = 1000;
const rnd = () => nextRandom++;

async function roam(owner: string, peer: string): Promise<Record<string, unknown>[]> {
  const r = await s.ok('openim/admin_getroammsg', { Operator_Account: owner, Peer_Account: peer, MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
  return r['MsgList'] as Record<string, unknown>[];
}

describe('sendmsg', () => {
  test('answers MsgTime, MsgKey "{MsgSeq}_{MsgRandom}_{MsgTime}" and MsgId "{tinyId}-{MsgTime}-{MsgRandom}", and stores the message', async () => {
    const r = await s.ok('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgSeq: 93847636, MsgRandom: 1287657, MsgBody: text('hi bob'), CloudCustomData: 'cc' });
    assert.deepEqual(Object.keys(r), ['ActionStatus', 'ErrorCode', 'ErrorInfo', 'MsgTime', 'MsgKey', 'MsgId']);
    assert.match(String(r['MsgId']), new RegExp(`^\\d{18}-${r['MsgTime']}-1287657$`));
    assert.equal(r.ErrorInfo, '');
    assert.equal(r['MsgKey'], `93847636_1287657_${r['MsgTime']}`);
    assert.ok(Math.abs((r['MsgTime'] as number) - Date.now() / 1000) < 5);
    const m = (await roam('bob', 'alice')).find((x) => x['MsgKey'] === r['MsgKey']);
    assert.deepEqual(m, {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 93847636,
      MsgRandom: 1287657,
      MsgTimeStamp: r['MsgTime'],
      MsgFlagBits: 0,
      IsPeerRead: 0,
      MsgKey: r['MsgKey'],
      MsgBody: text('hi bob'),
      CloudCustomData: 'cc',
    });
  });

  test('without MsgSeq the server picks one; without From_Account the admin sends', async () => {
    const r = await s.ok('openim/sendmsg', { To_Account: 'bob', MsgRandom: rnd(), MsgBody: text('from admin') });
    const [seq] = String(r['MsgKey']).split('_');
    assert.match(String(seq), /^\d+$/);
    const m = (await roam('bob', 'administrator')).find((x) => x['MsgKey'] === r['MsgKey']);
    assert.equal(m?.['From_Account'], 'administrator');
  });

  test('a duplicate within 120 s stores nothing and answers the first MsgTime and MsgKey; after 120 s it is new', async () => {
    const body = { From_Account: 'alice', To_Account: 'carol', MsgSeq: 7, MsgRandom: 77, MsgBody: text('dup') };
    const first = await s.ok('openim/sendmsg', body);
    s.clock.advance(60);
    const second = await s.ok('openim/sendmsg', body);
    assert.equal(second['MsgKey'], first['MsgKey']);
    assert.equal(second['MsgTime'], first['MsgTime']);
    assert.equal((await roam('alice', 'carol')).filter((m) => m['MsgSeq'] === 7).length, 1);
    s.clock.advance(61);
    const third = await s.ok('openim/sendmsg', body);
    assert.notEqual(third['MsgKey'], first['MsgKey']);
    assert.equal((await roam('alice', 'carol')).filter((m) => m['MsgSeq'] === 7).length, 2);
  });

  test('same MsgSeq and MsgRandom with other content in the same second: refused with 20001, nothing stored', async () => {
    s.clock.freeze();
    try {
      const a = await s.ok('openim/sendmsg', { From_Account: 'bob', To_Account: 'carol', MsgSeq: 9, MsgRandom: 99, MsgBody: text('one') });
      const b = await s.call('openim/sendmsg', { From_Account: 'bob', To_Account: 'carol', MsgSeq: 9, MsgRandom: 99, MsgBody: text('two') });
      assert.equal(b.ErrorCode, 20001);
      const stored = (await roam('bob', 'carol')).filter((m) => m['MsgKey'] === a['MsgKey']);
      assert.deepEqual(stored.map((m) => m['MsgBody']), [text('one')]);
    } finally {
      s.clock.unfreeze();
    }
  });

  test('SyncOtherMachine 2 keeps the message out of the sender\'s roaming only', async () => {
    const r = await s.ok('openim/sendmsg', { SyncOtherMachine: 2, From_Account: 'carol', To_Account: 'alice', MsgRandom: rnd(), MsgBody: text('quiet') });
    assert.equal((await roam('carol', 'alice')).some((m) => m['MsgKey'] === r['MsgKey']), false);
    assert.equal((await roam('alice', 'carol')).some((m) => m['MsgKey'] === r['MsgKey']), true);
    const legacy = await s.ok('openim/admin_getroammsg', { From_Account: 'alice', To_Account: 'carol', MaxCnt: 100, MinTime: 0, MaxTime: 4294967295 });
    assert.equal((legacy['MsgList'] as Record<string, unknown>[]).some((m) => m['MsgKey'] === r['MsgKey']), true);
  });

  test('MsgLifeTime 0 delivers online only: answered, never stored', async () => {
    const r = await s.ok('openim/sendmsg', { MsgLifeTime: 0, From_Account: 'alice', To_Account: 'bob', MsgRandom: rnd(), MsgBody: text('ephemeral') });
    assert.equal((await roam('alice', 'bob')).some((m) => m['MsgKey'] === r['MsgKey']), false);
    assert.ok(s.events.some((e) => e.type === 'c2c.sent' && e.msgKey === r['MsgKey']));
  });

  test('a deleted account can neither send nor receive (90008, 90012)', async () => {
    await s.ok('openim/sendmsg', { From_Account: 'gone', To_Account: 'alice', MsgRandom: rnd(), MsgBody: text('before') });
    await s.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] });
    assert.equal((await s.call('openim/sendmsg', { From_Account: 'gone', To_Account: 'alice', MsgRandom: rnd(), MsgBody: text('x') })).ErrorCode, 90008);
    assert.equal((await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'gone', MsgRandom: rnd(), MsgBody: text('x') })).ErrorCode, 90012);
    assert.equal((await roam('alice', 'gone')).length, 1, 'its stored messages stay');
  });

  const bad: [string, Record<string, unknown>, number][] = [
    ['From_Account not imported', { From_Account: 'nobody', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }, 90008],
    ['From_Account not a string', { From_Account: 5, To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }, 90008],
    ['To_Account missing', { From_Account: 'alice', MsgRandom: 1, MsgBody: text('x') }, 90003],
    ['To_Account not a string', { From_Account: 'alice', To_Account: ['bob'], MsgRandom: 1, MsgBody: text('x') }, 90003],
    ['To_Account not imported', { From_Account: 'alice', To_Account: 'nobody', MsgRandom: 1, MsgBody: text('x') }, 90012],
    ['MsgRandom missing', { From_Account: 'alice', To_Account: 'bob', MsgBody: text('x') }, 90005],
    ['MsgRandom over u32', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 4294967296, MsgBody: text('x') }, 90005],
    ['MsgRandom negative', { From_Account: 'alice', To_Account: 'bob', MsgRandom: -1, MsgBody: text('x') }, 90005],
    ['MsgRandom a string', { From_Account: 'alice', To_Account: 'bob', MsgRandom: '12', MsgBody: text('x') }, 90005],
    ['MsgBody missing', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1 }, 90007],
    ['MsgBody an object', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: { MsgType: 'TIMTextElem' } }, 90007],
    ['MsgBody empty', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: [] }, 90002],
    ['unknown MsgType', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: [{ MsgType: 'TIMMagicElem', MsgContent: {} }] }, 90002],
    ['Text not a string', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 1 } }] }, 90002],
    ['two TIMCustomElem', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: [{ MsgType: 'TIMCustomElem', MsgContent: { Data: 'a' } }, { MsgType: 'TIMCustomElem', MsgContent: { Data: 'b' } }] }, 90002],
    ['MsgSeq over u32', { From_Account: 'alice', To_Account: 'bob', MsgSeq: 2 ** 32, MsgRandom: 1, MsgBody: text('x') }, 90010],
    ['CloudCustomData not a string', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x'), CloudCustomData: { a: 1 } }, 90010],
    ['SyncOtherMachine 3', { SyncOtherMachine: 3, From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }, 90010],
    ['MsgLifeTime negative', { MsgLifeTime: -5, From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }, 90010],
    ['over 12 KB', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x'.repeat(12_000)), CloudCustomData: 'y'.repeat(300) }, 90010],
  ];
  for (const [name, body, code] of bad) {
    test(`${name} → ${code}, nothing stored`, async () => {
      const before = (await roam('alice', 'bob')).length;
      const r = await s.call('openim/sendmsg', body);
      assert.equal(r.ErrorCode, code, r.ErrorInfo);
      assert.equal(r.ActionStatus, 'FAIL');
      assert.ok(r.ErrorInfo.length > 10, 'ErrorInfo says what to fix');
      assert.equal((await roam('alice', 'bob')).length, before);
    });
  }

  test('exactly 12,288 bytes is accepted, one more is refused', async () => {
    const overhead = JSON.stringify(text('')).length;
    const ok = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: rnd(), MsgBody: text('a'.repeat(12_288 - overhead - 2)), CloudCustomData: 'zz' });
    assert.equal(ok.ErrorCode, 0, ok.ErrorInfo);
    const over = await s.call('openim/sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: rnd(), MsgBody: text('a'.repeat(12_288 - overhead - 2)), CloudCustomData: 'zzz' });
    assert.equal(over.ErrorCode, 90010);
  });
});

describe('message elements', () => {
  const valid: Record<string, unknown> = {
    TIMTextElem: { Text: 'hello' },
    TIMLocationElem: { Desc: 'here', Latitude: 22.5, Longitude: 113.9 },
    TIMFaceElem: { Index: 1, Data: 'content' },
    TIMCustomElem: { Data: 'message', Desc: 'notification', Ext: 'url', Sound: 'dingdong.aiff' },
    TIMSoundElem: { Url: 'https://x/a.mp3', UUID: 'u1', Size: 62351, Second: 1, Download_Flag: 2 },
    TIMImageElem: {
      UUID: 'img1',
      ImageFormat: 1,
      ImageInfoArray: [
        { Type: 1, Size: 1853095, Width: 2448, Height: 3264, URL: 'https://x/1.jpg' },
        { Type: 3, Size: 2000, Width: 120, Height: 160, URL: 'https://x/3.jpg' },
      ],
    },
    TIMFileElem: { Url: 'https://x/f', UUID: 'f1', FileSize: 1773552, FileName: 'file:a.txt', Download_Flag: 2 },
    TIMVideoFileElem: {
      VideoUrl: 'https://x/v', VideoUUID: 'v1', VideoSize: 1, VideoSecond: 5, VideoFormat: 'mp4', VideoDownloadFlag: 2,
      ThumbUrl: 'https://x/t', ThumbUUID: 't1', ThumbSize: 1, ThumbWidth: 72, ThumbHeight: 48, ThumbFormat: 'JPG', ThumbDownloadFlag: 2,
    },
    TIMRelayElem: {
      Title: 'chat history', MsgNum: 1, CompatibleText: 'upgrade to see', AbstractList: ['alice: hi'],
      MsgList: [{ From_Account: 'alice', To_Account: 'bob', MsgSeq: 1, MsgRandom: 2, MsgTimeStamp: 3, MsgBody: text('hi') }],
    },
  };
  const invalid: Record<string, unknown> = {
    TIMTextElem: {},
    TIMLocationElem: { Desc: 'here', Latitude: 91, Longitude: 0 },
    TIMFaceElem: { Index: 1.5, Data: 'x' },
    TIMCustomElem: { Desc: 'no data' },
    TIMSoundElem: { Url: 'https://x/a.mp3', UUID: 'u1', Download_Flag: 1 },
    TIMImageElem: { UUID: 'img1', ImageFormat: 7, ImageInfoArray: [] },
    TIMFileElem: { UUID: 'f1', Download_Flag: 2 },
    TIMVideoFileElem: { VideoUrl: 'https://x/v', VideoUUID: 'v1', VideoDownloadFlag: 2 },
    TIMRelayElem: { Title: 't', MsgNum: 1, CompatibleText: 'c', AbstractList: [], MsgList: [{ MsgSeq: 1, MsgRandom: 2, MsgTimeStamp: 3, MsgBody: [] }] },
  };
  for (const [type, content] of Object.entries(valid)) {
    test(`${type}: a valid element is stored and read back unchanged; an invalid one → 90002`, async () => {
      const body = [{ MsgType: type, MsgContent: content }];
      const r = await s.ok('openim/sendmsg', { From_Account: 'bob', To_Account: 'alice', MsgRandom: rnd(), MsgBody: body });
      const m = (await roam('alice', 'bob')).find((x) => x['MsgKey'] === r['MsgKey']);
      assert.deepEqual(m?.['MsgBody'], body);
      const bad = await s.call('openim/sendmsg', { From_Account: 'bob', To_Account: 'alice', MsgRandom: rnd(), MsgBody: [{ MsgType: type, MsgContent: invalid[type] }] });
      assert.equal(bad.ErrorCode, 90002);
      assert.match(bad.ErrorInfo, new RegExp(`MsgBody\\[0\\]`));
    });
  }
});

describe('batchsendmsg', () => {
  test('every recipient gets a copy with the same MsgKey; unknown recipients are listed in ErrorList', async () => {
    const r = await s.ok('openim/batchsendmsg', { From_Account: 'alice', To_Account: ['bob', 'carol', 'nobody', 'bad id'], MsgRandom: rnd(), MsgBody: text('to all') });
    assert.match(String(r['MsgKey']), /^\d+_\d+_\d+$/);
    assert.deepEqual(
      (r['ErrorList'] as { To_Account: string }[]).map((e) => e.To_Account).sort(),
      ['bad id', 'nobody'],
    );
    for (const peer of ['bob', 'carol']) {
      const m = (await roam(peer, 'alice')).find((x) => x['MsgKey'] === r['MsgKey']);
      assert.deepEqual(m?.['MsgBody'], text('to all'));
    }
  });

  test('more than 500 recipients → 90011; To_Account not an array → 90003', async () => {
    const many = Array.from({ length: 501 }, (_, i) => `u${i}`);
    assert.equal((await s.call('openim/batchsendmsg', { From_Account: 'alice', To_Account: many, MsgRandom: 1, MsgBody: text('x') })).ErrorCode, 90011);
    assert.equal((await s.call('openim/batchsendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') })).ErrorCode, 90003);
    assert.equal((await s.call('openim/batchsendmsg', { From_Account: 'alice', To_Account: [], MsgRandom: 1, MsgBody: text('x') })).ErrorCode, 90003);
  });

  test('a batch without any failure has no ErrorList', async () => {
    const r = await s.ok('openim/batchsendmsg', { From_Account: 'alice', To_Account: ['bob'], MsgRandom: rnd(), MsgBody: text('solo') });
    assert.equal('ErrorList' in r, false);
  });
});
