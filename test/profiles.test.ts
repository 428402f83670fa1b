import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Reply, startServer, type TestServer } from './helpers.js';

// portrait_set and portrait_get through real HTTP: every standard tag with its type and values,
// custom tags, the error codes, and Nick/Image shared with account_import. test/run.mjs runs this
// file on PostgreSQL too.

let s: TestServer;
before(async () => {
  s = await startServer();
  await s.users('p1', 'p2', 'gone');
  await s.ok('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'gone' }] });
});
after(() => s.close());

const ALL_STANDARD = [
  'Tag_Profile_IM_Nick',
  'Tag_Profile_IM_Gender',
  'Tag_Profile_IM_BirthDay',
  'Tag_Profile_IM_Location',
  'Tag_Profile_IM_SelfSignature',
  'Tag_Profile_IM_AllowType',
  'Tag_Profile_IM_Language',
  'Tag_Profile_IM_Image',
  'Tag_Profile_IM_MsgSettings',
  'Tag_Profile_IM_AdminForbidType',
  'Tag_Profile_IM_Level',
  'Tag_Profile_IM_Role',
];

type Item = { Tag: string; Value: unknown };
const set = (account: string, items: Item[]) => s.call('profile/portrait_set', { From_Account: account, ProfileItem: items });
const get = (accounts: string[], tags: string[]) => s.call('profile/portrait_get', { To_Account: accounts, TagList: tags });
async function values(account: string, tags: string[]): Promise<Record<string, unknown>> {
  const r = await get([account], tags);
  assert.equal(r.ErrorCode, 0, r.ErrorInfo);
  const [entry] = r['UserProfileItem'] as { ProfileItem: Item[] }[];
  return Object.fromEntries((entry?.ProfileItem ?? []).map((i) => [i.Tag, i.Value]));
}

/** A refusal with the profile envelope (ErrorDisplay beside the three usual fields). */
function refusedWith(r: Reply, code: number): void {
  assert.equal(r.ErrorCode, code, `expected ${code}, got ${r.ErrorCode}: ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.ok(r.ErrorInfo.length > 10, 'ErrorInfo says what to do');
  assert.deepEqual(Object.keys(r).sort(), ['ActionStatus', 'ErrorCode', 'ErrorDisplay', 'ErrorInfo']);
}

describe('portrait_set and portrait_get', () => {
  test('a never-set account answers every standard tag with its initial value, in TagList order', async () => {
    await s.users('fresh');
    const r = await get(['fresh'], ALL_STANDARD);
    assert.deepEqual(Object.keys(r).sort(), ['ActionStatus', 'ErrorCode', 'ErrorDisplay', 'ErrorInfo', 'UserProfileItem']);
    assert.equal(r['ErrorDisplay'], '');
    assert.deepEqual(r['UserProfileItem'], [
      {
        To_Account: 'fresh',
        ProfileItem: [
          { Tag: 'Tag_Profile_IM_Nick', Value: '' },
          { Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Unknown' },
          { Tag: 'Tag_Profile_IM_BirthDay', Value: 0 },
          { Tag: 'Tag_Profile_IM_Location', Value: '' },
          { Tag: 'Tag_Profile_IM_SelfSignature', Value: '' },
          { Tag: 'Tag_Profile_IM_AllowType', Value: 'AllowType_Type_NeedConfirm' },
          { Tag: 'Tag_Profile_IM_Language', Value: 0 },
          { Tag: 'Tag_Profile_IM_Image', Value: '' },
          { Tag: 'Tag_Profile_IM_MsgSettings', Value: 0 },
          { Tag: 'Tag_Profile_IM_AdminForbidType', Value: 'AdminForbid_Type_None' },
          { Tag: 'Tag_Profile_IM_Level', Value: 0 },
          { Tag: 'Tag_Profile_IM_Role', Value: 0 },
        ],
        ResultCode: 0,
        ResultInfo: '',
      },
    ]);
  });

  test('every standard tag and custom tags are set and read back with their types', async () => {
    const items: Item[] = [
      { Tag: 'Tag_Profile_IM_Nick', Value: 'Pat' },
      { Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Female' },
      { Tag: 'Tag_Profile_IM_BirthDay', Value: 20190419 },
      { Tag: 'Tag_Profile_IM_Location', Value: '中国 深圳' },
      { Tag: 'Tag_Profile_IM_SelfSignature', Value: 'hello' },
      { Tag: 'Tag_Profile_IM_AllowType', Value: 'AllowType_Type_DenyAny' },
      { Tag: 'Tag_Profile_IM_Language', Value: 4294967295 },
      { Tag: 'Tag_Profile_IM_Image', Value: 'https://example.com/p.png' },
      { Tag: 'Tag_Profile_IM_MsgSettings', Value: 1 },
      { Tag: 'Tag_Profile_IM_AdminForbidType', Value: 'AdminForbid_Type_SendOut' },
      { Tag: 'Tag_Profile_IM_Level', Value: 7 },
      { Tag: 'Tag_Profile_IM_Role', Value: 3 },
      { Tag: 'Tag_Profile_Custom_Hobby', Value: 'chess' },
      { Tag: 'Tag_Profile_Custom_Score', Value: 9007199254740991 },
    ];
    const r = await set('p1', items);
    assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    assert.deepEqual(Object.keys(r).sort(), ['ActionStatus', 'ErrorCode', 'ErrorDisplay', 'ErrorInfo']);
    const read = await values('p1', items.map((i) => i.Tag));
    assert.deepEqual(read, Object.fromEntries(items.map((i) => [i.Tag, i.Value])));
    // A later set replaces only the tags it names.
    assert.equal((await set('p1', [{ Tag: 'Tag_Profile_IM_Level', Value: 8 }])).ErrorCode, 0);
    const after = await values('p1', ['Tag_Profile_IM_Level', 'Tag_Profile_IM_Role', 'Tag_Profile_Custom_Hobby']);
    assert.deepEqual(after, { Tag_Profile_IM_Level: 8, Tag_Profile_IM_Role: 3, Tag_Profile_Custom_Hobby: 'chess' });
  });

  test('a custom tag never set is left out; repeated accounts and tags are answered once', async () => {
    await s.users('p3');
    const r = await get(['p3', 'p3'], ['Tag_Profile_Custom_Never', 'Tag_Profile_IM_Level', 'Tag_Profile_IM_Level']);
    assert.deepEqual(r['UserProfileItem'], [{ To_Account: 'p3', ProfileItem: [{ Tag: 'Tag_Profile_IM_Level', Value: 0 }], ResultCode: 0, ResultInfo: '' }]);
  });

  test('Tag_Profile_IM_Nick and Tag_Profile_IM_Image are account_import\'s Nick and FaceUrl, both ways', async () => {
    await s.ok('im_open_login_svc/account_import', { UserID: 'p2', Nick: 'Imported', FaceUrl: 'https://example.com/a.png' });
    assert.deepEqual(await values('p2', ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image']), { Tag_Profile_IM_Nick: 'Imported', Tag_Profile_IM_Image: 'https://example.com/a.png' });
    await s.ok('profile/portrait_set', { From_Account: 'p2', ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'Renamed' }, { Tag: 'Tag_Profile_IM_Image', Value: 'https://example.com/b.png' }] });
    const row = await s.deps.store.getProfiles(s.deps.apps.defaultApp.sdkappid, ['p2'], ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image']);
    assert.deepEqual(Object.fromEntries(row.get('p2') ?? []), { Tag_Profile_IM_Nick: '"Renamed"', Tag_Profile_IM_Image: '"https://example.com/b.png"' });
    // Importing again updates them, as account_import always has.
    await s.ok('im_open_login_svc/account_import', { UserID: 'p2', Nick: 'Again', FaceUrl: 'https://example.com/c.png' });
    assert.deepEqual(await values('p2', ['Tag_Profile_IM_Image', 'Tag_Profile_IM_Nick']), { Tag_Profile_IM_Image: 'https://example.com/c.png', Tag_Profile_IM_Nick: 'Again' });
  });

  test('accounts not imported or deleted get ResultCode 40003 and are listed in Fail_Account', async () => {
    const r = await get(['p1', 'nobody', 'gone', 'bad id'], ['Tag_Profile_IM_Level']);
    assert.equal(r.ErrorCode, 0);
    const items = r['UserProfileItem'] as Record<string, unknown>[];
    assert.deepEqual(items.map((i) => [i['To_Account'], i['ResultCode']]), [['p1', 0], ['nobody', 40003], ['gone', 40003], ['bad id', 40003]]);
    assert.deepEqual(Object.keys(items[1] ?? {}).sort(), ['ResultCode', 'ResultInfo', 'To_Account']);
    assert.deepEqual(r['Fail_Account'], ['nobody', 'gone', 'bad id']);
    refusedWith(await set('gone', [{ Tag: 'Tag_Profile_IM_Level', Value: 1 }]), 40003);
    refusedWith(await set('nobody', [{ Tag: 'Tag_Profile_IM_Level', Value: 1 }]), 40003);
  });

  test('each bad value is refused with its code and changes nothing, not even the good items beside it', async () => {
    await s.users('p4');
    const good = { Tag: 'Tag_Profile_IM_SelfSignature', Value: 'kept?' };
    const cases: [Item, number][] = [
      [{ Tag: 'Tag_Profile_IM_Nothing', Value: 'x' }, 40009],
      [{ Tag: 'Tag_Profile_Custom_TooLongName', Value: 'x' }, 40009],
      [{ Tag: 'Tag_Profile_Custom_Bad1', Value: 'x' }, 40009],
      [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x'.repeat(501) }, 40601],
      [{ Tag: 'Tag_Profile_Custom_Long', Value: '字'.repeat(167) }, 40601],
      [{ Tag: 'Tag_Profile_IM_Gender', Value: 'Male' }, 40605],
      [{ Tag: 'Tag_Profile_IM_AllowType', Value: 'AllowType_Type_Maybe' }, 40605],
      [{ Tag: 'Tag_Profile_IM_AdminForbidType', Value: '' }, 40605],
      [{ Tag: 'Tag_Profile_IM_Level', Value: 4294967296 }, 40605],
      [{ Tag: 'Tag_Profile_IM_Role', Value: -1 }, 40605],
      [{ Tag: 'Tag_Profile_Custom_Neg', Value: -5 }, 40605],
      [{ Tag: 'Tag_Profile_IM_BirthDay', Value: '20190419' }, 40610],
      [{ Tag: 'Tag_Profile_IM_Nick', Value: 5 }, 40610],
      [{ Tag: 'Tag_Profile_IM_Language', Value: 1.5 }, 40610],
      [{ Tag: 'Tag_Profile_Custom_Obj', Value: { a: 1 } }, 40610],
      [{ Tag: 'Tag_Profile_IM_Level', Value: true }, 40610],
    ];
    for (const [bad, code] of cases) refusedWith(await set('p4', [good, bad]), code);
    assert.deepEqual(await values('p4', ['Tag_Profile_IM_SelfSignature', 'Tag_Profile_Custom_Long']), { Tag_Profile_IM_SelfSignature: '' });
    // 500 bytes exactly is allowed.
    assert.equal((await set('p4', [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x'.repeat(500) }])).ErrorCode, 0);
  });

  test('malformed requests are refused with 40001', async () => {
    const bad: unknown[] = [
      {},
      { From_Account: 'p1' },
      { From_Account: 'p1', ProfileItem: [] },
      { From_Account: 'p1', ProfileItem: {} },
      { From_Account: 'p1', ProfileItem: [{ Value: 'x' }] },
      { From_Account: 'p1', ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick' }] },
      { From_Account: 'p1', ProfileItem: ['Tag_Profile_IM_Nick'] },
      { From_Account: 5, ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x' }] },
      { From_Account: 'has space', ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x' }] },
    ];
    for (const body of bad) refusedWith(await s.call('profile/portrait_set', body), 40001);
    const badGets: unknown[] = [
      {},
      { To_Account: [], TagList: ['Tag_Profile_IM_Nick'] },
      { To_Account: 'p1', TagList: ['Tag_Profile_IM_Nick'] },
      { To_Account: ['p1'], TagList: [] },
      { To_Account: ['p1'] },
      { To_Account: ['p1'], TagList: [1] },
      { To_Account: Array.from({ length: 101 }, (_, i) => `u${i}`), TagList: ['Tag_Profile_IM_Nick'] },
    ];
    for (const body of badGets) refusedWith(await s.call('profile/portrait_get', body), 40001);
    refusedWith(await get(['p1'], ['Tag_Profile_IM_Nick', 'Tag_Profile_SNS_IM_Remark']), 40009);
    // 100 accounts are fine.
    const hundred = await get(Array.from({ length: 100 }, (_, i) => `u${i}`), ['Tag_Profile_IM_Nick']);
    assert.equal(hundred.ErrorCode, 0);
    assert.equal((hundred['UserProfileItem'] as unknown[]).length, 100);
  });
});
