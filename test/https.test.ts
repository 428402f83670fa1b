// Store: SQLite only: HTTPS is served the same on every store.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer, TEST_APP, type TestServer, tempDir, userSig } from './helpers.js';
import { httpsCall, serverEnv, startProcess } from './process.js';

// HTTPS with PARLEY_TLS_CERT and PARLEY_TLS_KEY, because Tencent's REST API is HTTPS only and some
// SDKs put https:// before whatever host they are given. The certificate is made here, at run time,
// with openssl, as docs/https.md tells users to make theirs.

const dir = tempDir('parley-tls-');
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  '-keyout', keyFile, '-out', certFile,
], { stdio: 'ignore' });
const cert = readFileSync(certFile);
const key = readFileSync(keyFile);

const query = () => `sdkappid=${TEST_APP.sdkappid}&identifier=administrator&usersig=${userSig()}&random=1&contenttype=json`;
const CHECK = JSON.stringify({ CheckItem: [{ UserID: 'administrator' }] });

let s: TestServer;
before(async () => {
  s = await startServer({ tls: { cert, key } });
});
after(() => s.close());

test('with a certificate and key, parley answers the REST API over HTTPS, trusting that certificate', async () => {
  assert.match(s.url, /^https:\/\//);
  const r = await httpsCall(`${s.url}/v4/im_open_login_svc/account_check?${query()}`, cert, 'POST', CHECK);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ResultItem: [{ UserID: 'administrator', ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' }] });
});

test('a client that does not trust the certificate is refused by TLS; plain HTTP gets no answer', async () => {
  await assert.rejects(fetch(`${s.url}/healthz`), 'an unknown authority fails the handshake');
  await assert.rejects(fetch(`${s.url.replace('https:', 'http:')}/healthz`), 'the port speaks only TLS');
});

test('npm start with PARLEY_TLS_CERT and PARLEY_TLS_KEY serves HTTPS and prints an https:// URL and a curl line that trusts the certificate', async () => {
  const p = await startProcess(tempDir(), { env: { PARLEY_TLS_CERT: certFile, PARLEY_TLS_KEY: keyFile }, ca: cert });
  try {
    assert.match(p.output(), /curl -s --cacert '.*cert\.pem' -X POST 'https:\/\/127\.0\.0\.1:\d+\/v4\/im_open_login_svc\/account_check/);
    const r = await httpsCall(`${p.url}/v4/im_open_login_svc/account_check?${query()}`, cert, 'POST', CHECK);
    assert.equal(JSON.parse(r.body).ErrorCode, 0);
  } finally {
    assert.deepEqual(await p.stop('SIGTERM'), { code: 0, signal: null });
  }
});

test('a missing half, an unreadable file or a file that is not PEM stops the start with a clear message', () => {
  const server = fileURLToPath(new URL('../src/server.js', import.meta.url));
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'not a certificate');
  const cases: [Record<string, string>, RegExp][] = [
    [{ PARLEY_TLS_CERT: certFile }, /set both PARLEY_TLS_CERT and PARLEY_TLS_KEY/],
    [{ PARLEY_TLS_KEY: keyFile }, /set both PARLEY_TLS_CERT and PARLEY_TLS_KEY/],
    [{ PARLEY_TLS_CERT: join(dir, 'absent.pem'), PARLEY_TLS_KEY: keyFile }, /PARLEY_TLS_CERT=.*absent\.pem cannot be read/],
    [{ PARLEY_TLS_CERT: notPem, PARLEY_TLS_KEY: keyFile }, /not a PEM certificate and its key/],
    [{ PARLEY_TLS_CERT: certFile, PARLEY_TLS_KEY: certFile }, /not a PEM certificate and its key/],
  ];
  for (const [env, message] of cases) {
    const r = spawnSync(process.execPath, [server], { env: { PATH: process.env['PATH'] ?? '', ...serverEnv(tempDir()), ...env }, encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 1, `${JSON.stringify(env)}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'a message, not a stack trace');
  }
});
