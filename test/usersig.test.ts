import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { signUserSig } from '../src/usersig/sign.js';
import { parseUserSig, verifyUserSig } from '../src/usersig/verify.js';
import { assertOk, assertRefused, type Reply, startServer, TEST_APP, type TestServer } from './helpers.js';

// UserSig v2 (tencent-rest-api.md §9) and the gateway's UserSig checks (decisions.md §2): the
// vectors made by Tencent's signer, Tencent's npm signer live, our signer, and every way a UserSig
// can be refused, over real HTTP.

interface Vector {
  sdkappid: number;
  key: string;
  identifier: string;
  time: number;
  expire: number;
  userSig: string;
  valid_until: number;
  userbuf?: boolean;
}

const VECTORS = (JSON.parse(readFileSync(new URL('../../test/fixtures/usersig-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

/** Tencent's own signer (CommonJS, untyped): the methods used here. */
interface TencentSigner {
  genUserSig(userid: string, expire: number): string;
  genSig(userid: string, expire: number, userBuf: Buffer | null): string;
  genPrivateMapKey(userid: string, expire: number, roomid: number, privilegeMap: number): string;
}
const tencent = createRequire(import.meta.url)('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => TencentSigner };

const OTHER_KEY = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const OTHER_APP = 1400000001;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Tencent's URL-safe base64, written out here independently of src/usersig/base64url.ts. */
function wire(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function unwire(text: string): Buffer {
  return Buffer.from(text.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64');
}

/** The JSON document inside a UserSig. */
function docOf(sig: string): Record<string, unknown> {
  return JSON.parse(inflateSync(unwire(sig)).toString('utf8')) as Record<string, unknown>;
}

/** A UserSig made of any document (signed or not). */
function craft(doc: unknown): string {
  return wire(deflateSync(Buffer.from(JSON.stringify(doc))));
}

interface Claims {
  sdkappid: number;
  identifier: string;
  time: number;
  expire: number;
}

/** A correctly signed UserSig document, computed here from §9 rather than by src/usersig/sign.ts. */
function signedDoc(c: Claims, key: string): Record<string, unknown> {
  const content = `TLS.identifier:${c.identifier}\nTLS.sdkappid:${c.sdkappid}\nTLS.time:${c.time}\nTLS.expire:${c.expire}\n`;
  return {
    'TLS.ver': '2.0',
    'TLS.identifier': c.identifier,
    'TLS.sdkappid': c.sdkappid,
    'TLS.time': c.time,
    'TLS.expire': c.expire,
    'TLS.sig': createHmac('sha256', key).update(content).digest('base64'),
  };
}

/** Changes the character in the middle of a string to another one of the same alphabet. */
function flipMiddle(text: string): string {
  const i = Math.floor(text.length / 2);
  const c = text[i] === 'A' ? 'B' : 'A';
  return text.slice(0, i) + c + text.slice(i + 1);
}


describe('verifyUserSig: the vectors made by Tencent\'s signer', () => {
  test('the fixture holds vectors, one with a userbuf', () => {
    assert.ok(VECTORS.length >= 4);
    assert.ok(VECTORS.some((v) => v.userbuf === true && parseUserSig(v.userSig)?.claims.userbuf !== undefined));
  });

  for (const v of VECTORS) {
    const input = { sdkappid: v.sdkappid, identifier: v.identifier, secretKey: v.key };
    describe(`${v.identifier}@${v.sdkappid}${v.userbuf === true ? ' (userbuf)' : ''}`, () => {
      test('valid from TLS.time through valid_until, expired one second later (70001)', () => {
        assert.equal(v.valid_until, v.time + v.expire);
        assert.deepEqual(verifyUserSig(v.userSig, { ...input, now: v.time }), { ok: true, expiresAt: v.valid_until });
        assert.deepEqual(verifyUserSig(v.userSig, { ...input, now: v.valid_until }), { ok: true, expiresAt: v.valid_until });
        const late = verifyUserSig(v.userSig, { ...input, now: v.valid_until + 1 });
        assert.equal(late.ok, false);
        assert.equal(!late.ok && late.code, 70001);
      });

      test('another key → 70009, another identifier → 70013, another sdkappid → 70014', () => {
        const cases: [Partial<typeof input>, number][] = [
          [{ secretKey: OTHER_KEY }, 70009],
          [{ secretKey: `${v.key}0` }, 70009],
          [{ identifier: `${v.identifier}x` }, 70013],
          [{ identifier: v.identifier.toUpperCase() === v.identifier ? v.identifier.toLowerCase() : v.identifier.toUpperCase() }, 70013],
          [{ sdkappid: v.sdkappid + 1 }, 70014],
        ];
        for (const [change, code] of cases) {
          const r = verifyUserSig(v.userSig, { ...input, now: v.time, ...change });
          assert.equal(r.ok, false, JSON.stringify(change));
          assert.equal(!r.ok && r.code, code, JSON.stringify(change));
          assert.ok(!r.ok && r.reason.length > 0);
        }
      });

      test('our signer makes the same document, signature included', () => {
        const parsed = parseUserSig(v.userSig);
        assert.ok(parsed !== undefined);
        const ours = signUserSig({ ...parsed.claims }, v.key);
        assert.deepEqual(parseUserSig(ours), parsed);
        // Same keys in the same order as Tencent's Node signer, so the JSON text is the same too.
        assert.equal(inflateSync(unwire(ours)).toString('utf8'), inflateSync(unwire(v.userSig)).toString('utf8'));
      });
    });
  }
});

describe('verifyUserSig: live output of Tencent\'s npm signer (tls-sig-api-v2)', () => {
  const api = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey);
  const input = { sdkappid: TEST_APP.sdkappid, identifier: 'administrator', secretKey: TEST_APP.secretKey };

  test('genUserSig, genSig without and with a userbuf, genPrivateMapKey: all verify', () => {
    const sigs = {
      genUserSig: api.genUserSig('administrator', 86_400),
      genSig: api.genSig('administrator', 86_400, null),
      userbuf: api.genSig('administrator', 86_400, Buffer.from('room=42;role=anchor')),
      privateMapKey: api.genPrivateMapKey('administrator', 86_400, 1234, 255),
    };
    assert.ok(parseUserSig(sigs.userbuf)?.claims.userbuf !== undefined, 'the userbuf variant carries TLS.userbuf');
    for (const [name, sig] of Object.entries(sigs)) {
      const doc = docOf(sig);
      const now = nowSeconds();
      const r = verifyUserSig(sig, { ...input, now });
      assert.deepEqual(r, { ok: true, expiresAt: (doc['TLS.time'] as number) + 86_400 }, name);
      const wrongKey = verifyUserSig(sig, { ...input, now, secretKey: OTHER_KEY });
      assert.equal(!wrongKey.ok && wrongKey.code, 70009, name);
    }
  });

  test('a userbuf that was altered after signing → 70009', () => {
    const doc = docOf(api.genSig('administrator', 86_400, Buffer.from('room=42')));
    doc['TLS.userbuf'] = Buffer.from('room=43').toString('base64');
    const r = verifyUserSig(craft(doc), { ...input, now: nowSeconds() });
    assert.equal(!r.ok && r.code, 70009);
  });

  test('a userbuf that was removed after signing → 70009', () => {
    const doc = docOf(api.genSig('administrator', 86_400, Buffer.from('room=42')));
    delete doc['TLS.userbuf'];
    const r = verifyUserSig(craft(doc), { ...input, now: nowSeconds() });
    assert.equal(!r.ok && r.code, 70009);
  });
});

describe('verifyUserSig: undecodable input → 70003', () => {
  const input = { sdkappid: TEST_APP.sdkappid, identifier: 'administrator', secretKey: TEST_APP.secretKey, now: nowSeconds() };
  const good = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 86_400 }, TEST_APP.secretKey);
  for (const [name, sig] of Object.entries(garbage(good))) {
    test(name, () => {
      const r = verifyUserSig(sig, input);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.code, 70003);
    });
  }
  test('empty string', () => {
    const r = verifyUserSig('', input);
    assert.equal(!r.ok && r.code, 70003);
  });
});

/** UserSigs that cannot be decoded, inflated or parsed into a UserSig document. */
function garbage(good: string): Record<string, string> {
  const claims = { sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 86_400 };
  const doc = signedDoc(claims, TEST_APP.secretKey);
  const without = (field: string): string => {
    const d = { ...doc };
    delete d[field];
    return craft(d);
  };
  return {
    'not base64 at all': 'this is not a UserSig!',
    'valid base64 of bytes that are not zlib': wire(Buffer.from('these bytes were never compressed by zlib')),
    'raw deflate without the zlib header': wire(deflateRawSync(Buffer.from(JSON.stringify(doc)))),
    'truncated: the first half of a good UserSig': good.slice(0, Math.floor(good.length / 2)),
    'a character flipped in the middle (zlib checksum fails)': flipMiddle(good),
    'zlib of text that is not JSON': wire(deflateSync(Buffer.from('TLS.identifier:administrator'))),
    'zlib of a JSON array': craft([doc]),
    'zlib of a JSON string': craft('administrator'),
    'zlib of JSON null': craft(null),
    'JSON missing TLS.identifier': without('TLS.identifier'),
    'JSON missing TLS.sdkappid': without('TLS.sdkappid'),
    'JSON missing TLS.time': without('TLS.time'),
    'JSON missing TLS.expire': without('TLS.expire'),
    'JSON missing TLS.sig': without('TLS.sig'),
    'TLS.time as a string': craft({ ...doc, 'TLS.time': String(claims.time) }),
    'TLS.sdkappid as a string': craft({ ...doc, 'TLS.sdkappid': String(claims.sdkappid) }),
    'TLS.identifier as a number': craft({ ...doc, 'TLS.identifier': 42 }),
    'TLS.expire as a fraction': craft({ ...doc, 'TLS.expire': 86_400.5 }),
    'TLS.sig as a number': craft({ ...doc, 'TLS.sig': 1 }),
    'an empty JSON object': craft({}),
    // A zlib bomb: inflating it whole would cost memory; a real UserSig is a few hundred bytes.
    'a document padded to inflate past 1 MiB': wire(deflateSync(Buffer.from(JSON.stringify(doc).replace('{', `{${' '.repeat(1024 * 1024)}`)))),
  };
}

describe('UserSig over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const CHECK = { CheckItem: [{ UserID: 'administrator' }] };
  /** account_check with the given UserSig (and identifier, default administrator). */
  const withSig = (sig: string, identifier = 'administrator', api = 'im_open_login_svc/account_check', body: unknown = CHECK): Promise<Reply> =>
    s.call(api, body, { identifier, query: { usersig: sig } });

  test('UserSigs from Tencent\'s npm signer are accepted, with and without a userbuf', async () => {
    const api = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey);
    assertOk(await withSig(api.genUserSig('administrator', 86_400)));
    assertOk(await withSig(api.genSig('administrator', 3_600, null)));
    assertOk(await withSig(api.genSig('administrator', 86_400, Buffer.from('room=42;role=anchor'))));
    assertOk(await withSig(api.genPrivateMapKey('administrator', 86_400, 1234, 255)));
    assertOk(await withSig(new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey).genUserSig('admin2', 600), 'admin2'));
    // openim APIs authenticate the same way.
    const roam = { Operator_Account: 'administrator', Peer_Account: 'admin2', MaxCnt: 10, MinTime: 0, MaxTime: 4294967295 };
    assertOk(await withSig(api.genUserSig('administrator', 86_400), 'administrator', 'openim/admin_getroammsg', roam));
  });

  test('UserSigs from our signer and from §9 computed by hand are accepted', async () => {
    const claims = { sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 86_400 };
    assertOk(await withSig(signUserSig(claims, TEST_APP.secretKey)));
    assertOk(await withSig(signUserSig({ ...claims, userbuf: Buffer.from('x').toString('base64') }, TEST_APP.secretKey)));
    assertOk(await withSig(craft(signedDoc({ ...claims, expire: 3_600 }, TEST_APP.secretKey))));
  });

  test('the Tencent-made vectors of the test app pass the UserSig check (refused only as non-admins: 60010)', async () => {
    // Their identifiers are not admins, so a sig that passes verification meets the admin check next.
    const mine = VECTORS.filter((v) => v.sdkappid === TEST_APP.sdkappid && v.key === TEST_APP.secretKey && v.valid_until > nowSeconds() + 60);
    assert.ok(mine.length >= 2);
    for (const v of mine) assertRefused(await withSig(v.userSig, v.identifier), 60010);
  });

  test('an expired UserSig → 70001', async () => {
    assertRefused(await withSig(craft(signedDoc({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds() - 1_000, expire: 10 }, TEST_APP.secretKey))), 70001);
    assertRefused(await withSig(signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds() - 200_000, expire: 86_400 }, TEST_APP.secretKey)), 70001);
    const expired = VECTORS.find((v) => v.sdkappid === TEST_APP.sdkappid && v.valid_until < nowSeconds());
    if (expired !== undefined) assertRefused(await withSig(expired.userSig, expired.identifier), 70001);
  });

  test('signed with another key → 70009 (ours and Tencent\'s signer)', async () => {
    assertRefused(await withSig(signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 86_400 }, OTHER_KEY)), 70009);
    assertRefused(await withSig(new tencent.Api(TEST_APP.sdkappid, OTHER_KEY).genUserSig('administrator', 86_400)), 70009);
    const roam = { Operator_Account: 'administrator', Peer_Account: 'admin2', MaxCnt: 10, MinTime: 0, MaxTime: 4294967295 };
    assertRefused(await withSig(new tencent.Api(TEST_APP.sdkappid, OTHER_KEY).genUserSig('administrator', 86_400), 'administrator', 'openim/admin_getroammsg', roam), 70009);
  });

  test('tampered: claims changed after signing, or the signature altered → 70009', async () => {
    const api = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey);
    const longer = docOf(api.genUserSig('administrator', 60));
    longer['TLS.expire'] = 315_360_000;
    assertRefused(await withSig(craft(longer)), 70009);
    const earlier = docOf(api.genUserSig('administrator', 86_400));
    earlier['TLS.time'] = (earlier['TLS.time'] as number) + 1;
    assertRefused(await withSig(craft(earlier)), 70009);
    const flipped = docOf(api.genUserSig('administrator', 86_400));
    flipped['TLS.sig'] = flipMiddle(flipped['TLS.sig'] as string);
    assertRefused(await withSig(craft(flipped)), 70009);
    const short = docOf(api.genUserSig('administrator', 86_400));
    short['TLS.sig'] = (short['TLS.sig'] as string).slice(0, 20);
    assertRefused(await withSig(craft(short)), 70009);
    const renamed = docOf(api.genUserSig('admin2', 86_400));
    renamed['TLS.identifier'] = 'administrator';
    assertRefused(await withSig(craft(renamed)), 70009);
  });

  test('tampered: a character flipped in the middle of the UserSig text → 70003 (the zlib stream no longer checks out)', async () => {
    const api = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey);
    assertRefused(await withSig(flipMiddle(api.genUserSig('administrator', 86_400))), 70003);
  });

  test('a UserSig for another SDKAppID → 70014', async () => {
    assertRefused(await withSig(new tencent.Api(OTHER_APP, TEST_APP.secretKey).genUserSig('administrator', 86_400)), 70014);
    assertRefused(await withSig(signUserSig({ sdkappid: OTHER_APP, identifier: 'administrator', time: nowSeconds(), expire: 86_400 }, TEST_APP.secretKey)), 70014);
    const otherAppVector = VECTORS.find((v) => v.sdkappid !== TEST_APP.sdkappid && v.identifier === 'administrator');
    assert.ok(otherAppVector !== undefined);
    assertRefused(await withSig(otherAppVector.userSig), 70014);
  });

  test('a UserSig for another identifier → 70013', async () => {
    const api = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey);
    assertRefused(await withSig(api.genUserSig('admin2', 86_400)), 70013);
    assertRefused(await withSig(api.genUserSig('Administrator', 86_400)), 70013);
    assertRefused(await withSig(api.genUserSig('administrator', 86_400), 'admin2'), 70013);
    assertRefused(await withSig(signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'dramon1', time: nowSeconds(), expire: 86_400 }, TEST_APP.secretKey)), 70013);
  });

  test('garbage UserSigs → 70003', async () => {
    const good = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 86_400 }, TEST_APP.secretKey);
    for (const [name, sig] of Object.entries(garbage(good))) {
      const r = await withSig(sig);
      assert.equal(r.ErrorCode, 70003, `${name}: got ${r.ErrorCode} ${r.ErrorInfo}`);
      assertRefused(r, 70003);
    }
  });

  test('an empty usersig parameter counts as missing → 60004', async () => {
    assertRefused(await withSig(''), 60004);
  });

  test('checks run in the order of decisions.md §2: decode, SDKAppID, identifier, expiry, HMAC', async () => {
    // Every combination of the four mismatches; the first in the order decides the code.
    for (let mask = 0; mask < 16; mask++) {
      const otherApp = (mask & 1) !== 0;
      const otherId = (mask & 2) !== 0;
      const expired = (mask & 4) !== 0;
      const otherKey = (mask & 8) !== 0;
      const sig = signUserSig(
        {
          sdkappid: otherApp ? OTHER_APP : TEST_APP.sdkappid,
          identifier: otherId ? 'dramon1' : 'administrator',
          time: expired ? nowSeconds() - 10_000 : nowSeconds(),
          expire: expired ? 60 : 86_400,
        },
        otherKey ? OTHER_KEY : TEST_APP.secretKey,
      );
      const expected = otherApp ? 70014 : otherId ? 70013 : expired ? 70001 : otherKey ? 70009 : 0;
      const r = await withSig(sig);
      assert.equal(r.ErrorCode, expected, `app=${otherApp} id=${otherId} expired=${expired} key=${otherKey}: ${r.ErrorInfo}`);
      if (expected !== 0) assertRefused(r, expected);
      // The same order in the unit under the gateway.
      const unit = verifyUserSig(sig, { sdkappid: TEST_APP.sdkappid, identifier: 'administrator', secretKey: TEST_APP.secretKey, now: nowSeconds() });
      assert.equal(unit.ok ? 0 : unit.code, expected);
    }
  });

  test('UserSig problems come before the admin check: a non-admin with an expired UserSig → 70001, not 60010', async () => {
    const expired = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'dramon1', time: nowSeconds() - 10_000, expire: 60 }, TEST_APP.secretKey);
    assertRefused(await withSig(expired, 'dramon1'), 70001);
    const otherKey = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'dramon1', time: nowSeconds(), expire: 600 }, OTHER_KEY);
    assertRefused(await withSig(otherKey, 'dramon1', 'openim/sendmsg', {}), 70009);
  });

  test('query problems come before UserSig problems: missing identifier with a garbage UserSig → 60004; unknown SDKAppID → 60006', async () => {
    const r1 = await s.call('im_open_login_svc/account_check', CHECK, { query: { identifier: undefined, usersig: 'garbage!' } });
    assertRefused(r1, 60004);
    const r2 = await s.call('im_open_login_svc/account_check', CHECK, { query: { sdkappid: String(OTHER_APP), usersig: 'garbage!' } });
    assertRefused(r2, 60006);
  });
});

describe('UserSig cache over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const CHECK = { CheckItem: [{ UserID: 'administrator' }] };

  test('a UserSig that passed once still expires: the server clock moves past TLS.time + TLS.expire → 70001', async () => {
    const sig = new tencent.Api(TEST_APP.sdkappid, TEST_APP.secretKey).genUserSig('administrator', 30);
    const call = () => s.call('im_open_login_svc/account_check', CHECK, { query: { usersig: sig } });
    assertOk(await call());
    assertOk(await call());
    s.clock.advance(20);
    assertOk(await call());
    s.clock.advance(12);
    assertRefused(await call(), 70001);
    // Still refused on the next use, and on openim APIs too.
    assertRefused(await call(), 70001);
    assertRefused(await s.call('openim/sendmsg', {}, { query: { usersig: sig } }), 70001);
    s.clock.advance(-32);
  });

  test('a UserSig that passed once is still checked against the identifier of each call → 70013', async () => {
    const sig = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 600 }, TEST_APP.secretKey);
    assertOk(await s.call('im_open_login_svc/account_check', CHECK, { query: { usersig: sig } }));
    assertRefused(await s.call('im_open_login_svc/account_check', CHECK, { identifier: 'admin2', query: { usersig: sig } }), 70013);
    assertOk(await s.call('im_open_login_svc/account_check', CHECK, { query: { usersig: sig } }));
  });

  test('a UserSig refused once is refused again (a failure is not cached as a success)', async () => {
    const sig = signUserSig({ sdkappid: TEST_APP.sdkappid, identifier: 'administrator', time: nowSeconds(), expire: 600 }, OTHER_KEY);
    for (let i = 0; i < 3; i++) assertRefused(await s.call('im_open_login_svc/account_check', CHECK, { query: { usersig: sig } }), 70009);
  });
});
