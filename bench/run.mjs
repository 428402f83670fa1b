// `npm run bench`: sendmsg and modify_c2c_msg throughput of parley on its embedded store, as a
// ratio to a bare node:http JSON server measured in the same run with the same load generator.
// Targets (the issue): modify >= 0.5 of that ceiling with durable commits; parley's peak RSS
// under 200 MB. Exits non-zero only when a request failed or a server misbehaved; a missed target
// is reported, not fatal. Settings are described in docs/benchmarks.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { signUserSig } from '../dist/src/usersig/sign.js';
import { startServer } from './lib/children.mjs';
import { CONNECTIONS, runLoad } from './lib/load.mjs';
import { fmt, report } from './lib/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SDKAPPID = 1400123456;
const SECRET_KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const ADMIN = 'administrator';

function setting(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}=${raw}: expected a whole number >= ${min}`);
  return value;
}

const SECONDS = setting('BENCH_SECONDS', 10, 1);
const WARMUP = setting('BENCH_WARMUP', Math.min(2, SECONDS), 0);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const MESSAGES = setting('BENCH_MESSAGES', 2000, 1);
const ALL_PHASES = ['sendmsg', 'modify', 'send_group_msg', 'modify_group_msg'];
const PHASES = (process.env['BENCH_PHASES'] || ALL_PHASES.join(',')).split(',').map((p) => p.trim());
if (PHASES.length === 0 || PHASES.some((p) => !ALL_PHASES.includes(p))) throw new Error(`BENCH_PHASES: a comma-separated list of ${ALL_PHASES.join(', ')}`);
const PROFILE_DIR = process.env['BENCH_CPU_PROF'] ? resolve(process.env['BENCH_CPU_PROF']) : undefined;

const userSig = signUserSig({ sdkappid: SDKAPPID, identifier: ADMIN, time: Math.floor(Date.now() / 1000), expire: 86_400 }, SECRET_KEY);
let random = Math.floor(Math.random() * 0x7fffffff);
/** A distinct u32 per call: sendmsg dedups on MsgRandom, and each URL carries its own `random`. */
const nextRandom = () => (random = (random + 1) >>> 0);
const path = (api) => `/v4/${api}?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${encodeURIComponent(userSig)}&random=${nextRandom()}&contenttype=json`;
const text = (t) => [{ MsgType: 'TIMTextElem', MsgContent: { Text: t } }];
const sendBody = (label) => {
  const msgRandom = nextRandom();
  return JSON.stringify({ From_Account: 'u1', To_Account: 'u2', MsgRandom: msgRandom, MsgBody: text(`${label} ${msgRandom}`) });
};

/** A group message with a distinct Random (a repeated one inside 5 minutes is a duplicate). */
const groupSendBody = (groupId, label) => {
  const r = nextRandom();
  return JSON.stringify({ GroupId: groupId, From_Account: 'u1', Random: r, MsgBody: text(`${label} ${r}`) });
};

async function call(baseUrl, api, body) {
  const response = await fetch(`${baseUrl}${path(api)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const reply = await response.json();
  if (response.status !== 200 || reply.ErrorCode !== 0) throw new Error(`${api}: HTTP ${response.status}, ErrorCode ${reply.ErrorCode} ${reply.ErrorInfo}`);
  return reply;
}

/** Stores `count` messages u1 -> u2, CONNECTIONS at a time; resolves with their MsgKeys. */
async function seedMessages(baseUrl, count) {
  const keys = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      keys.push((await call(baseUrl, 'openim/sendmsg', sendBody('seed'))).MsgKey);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, count) }, worker));
  return keys;
}

/** Stores `count` messages in a group, CONNECTIONS at a time; they get MsgSeq 1..count. */
async function seedGroup(baseUrl, groupId, count) {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      await call(baseUrl, 'group_open_http_svc/send_group_msg', groupSendBody(groupId, 'seed'));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, count) }, worker));
}

/**
 * Warm-up (checked, then discarded), then the measured run. CPU use of the server and of this
 * process (the load generator) shows which of the two was the limit.
 */
async function phase(kind, round, server, nextRequest) {
  process.stdout.write(`  round ${round} ${kind}: ${WARMUP} s warm-up, ${SECONDS} s measured ...`);
  const baseUrl = server.url;
  const warm = WARMUP > 0 ? await runLoad({ baseUrl, seconds: WARMUP, nextRequest }) : { failed: 0, checked: 0, failures: {} };
  const serverCpu = server.cpuSeconds();
  const generatorCpu = process.cpuUsage();
  const started = performance.now();
  const run = await runLoad({ baseUrl, seconds: SECONDS, nextRequest });
  const wall = (performance.now() - started) / 1000;
  const generatorUsed = process.cpuUsage(generatorCpu);
  const cpu = { server: (server.cpuSeconds() - serverCpu) / wall, generator: (generatorUsed.user + generatorUsed.system) / 1e6 / wall };
  process.stdout.write(` ${fmt(run.requestsPerSecond)} req/s\n`);
  return { kind, round, ...run, cpu, warmup: { checked: warm.checked, failed: warm.failed, failures: warm.failures } };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const servers = [];
  const problems = [];
  try {
    console.log(
      `parley bench: ${CONNECTIONS} connections, ${ROUNDS} round(s) of ${WARMUP} s warm-up + ${SECONDS} s per phase, ` +
        `${cpus().length} CPUs, node ${process.version}, data in ${dataDir}`,
    );
    const baseline = await startServer('baseline', [join(ROOT, 'bench/baseline-server.mjs')], {});
    servers.push(baseline);
    const profileArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    const parley = await startServer('parley', [...profileArgs, join(ROOT, 'dist/src/server.js')], {
      PARLEY_PORT: '0',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_RATE_LIMIT: '0',
      PARLEY_SDKAPPID: String(SDKAPPID),
      PARLEY_SECRET_KEY: SECRET_KEY,
      PARLEY_LOG_LEVEL: 'warn',
    });
    servers.push(parley);

    await call(parley.url, 'im_open_login_svc/multiaccount_import', JSON.stringify({ Accounts: ['u1', 'u2'] }));
    process.stdout.write(`  seeding ${MESSAGES} messages for modify_c2c_msg ...`);
    const keys = await seedMessages(parley.url, MESSAGES);
    process.stdout.write(' done\n');
    const { GroupId: groupId } = await call(parley.url, 'group_open_http_svc/create_group', JSON.stringify({ Owner_Account: 'u1', Type: 'Public', Name: 'bench', MemberList: [{ Member_Account: 'u2' }] }));
    process.stdout.write(`  seeding ${MESSAGES} messages in group ${groupId} for modify_group_msg ...`);
    await seedGroup(parley.url, groupId, MESSAGES);
    process.stdout.write(' done\n');

    let edit = 0;
    const send = () => ({ path: path('openim/sendmsg'), body: sendBody('bench message') });
    const requests = {
      // The baseline gets sendmsg's URL and body shape, so both servers read the same bytes.
      baseline: send,
      sendmsg: send,
      modify: () => ({
        path: path('openim/modify_c2c_msg'),
        body: JSON.stringify({ From_Account: 'u1', To_Account: 'u2', MsgKey: keys[edit++ % keys.length], MsgBody: text(`edited ${nextRandom()}`) }),
      }),
      send_group_msg: () => ({ path: path('group_open_http_svc/send_group_msg'), body: groupSendBody(groupId, 'bench group message') }),
      modify_group_msg: () => ({
        path: path('openim/modify_group_msg'),
        body: JSON.stringify({ GroupId: groupId, MsgSeq: (edit++ % MESSAGES) + 1, MsgBody: text(`edited ${nextRandom()}`) }),
      }),
    };

    // Rounds interleave the servers, and a baseline opens and closes every round, so each parley
    // phase has a ceiling measured just before and just after it on a machine whose speed drifts.
    const results = [];
    for (let round = 1; round <= ROUNDS; round++) {
      results.push(await phase('baseline', round, baseline, requests.baseline));
      for (const kind of PHASES) results.push(await phase(kind, round, parley, requests[kind]));
    }
    results.push(await phase('baseline', ROUNDS + 1, baseline, requests.baseline));

    const memory = { parley: parley.memory(), baseline: baseline.memory() };
    const parleyExit = await parley.stop();
    await baseline.stop();
    if (parleyExit.code !== 0) problems.push(`parley did not stop cleanly (exit ${parleyExit.signal ?? parleyExit.code})`);

    // What was acknowledged must be on disk: count it in the database parley closed.
    const db = new Database(join(dataDir, 'parley.db'), { readonly: true });
    const stored = db.prepare('SELECT count(*) FROM c2c_messages').pluck().get();
    const edited = db.prepare("SELECT count(*) FROM c2c_messages WHERE body LIKE '%edited %'").pluck().get();
    const storedInGroup = db.prepare('SELECT count(*) FROM group_messages').pluck().get();
    const editedInGroup = db.prepare("SELECT count(*) FROM group_messages WHERE body LIKE '%edited %'").pluck().get();
    const lastSeq = db.prepare('SELECT max(msg_seq) FROM group_messages').pluck().get();
    db.close();
    const answered = (kind) => results.filter((r) => r.kind === kind).reduce((n, r) => n + r.checked + r.warmup.checked - r.failed - r.warmup.failed, 0);
    const acknowledgedSends = MESSAGES + answered('sendmsg');
    if (stored < acknowledgedSends) problems.push(`only ${stored} messages stored, ${acknowledgedSends} sends acknowledged`);
    const expectedEdited = Math.min(MESSAGES, answered('modify'));
    if (edited < expectedEdited) problems.push(`only ${edited} seeded messages show an edit; at least ${expectedEdited} expected`);
    const acknowledgedGroupSends = MESSAGES + answered('send_group_msg');
    if (storedInGroup < acknowledgedGroupSends) problems.push(`only ${storedInGroup} group messages stored, ${acknowledgedGroupSends} sends acknowledged`);
    if (lastSeq !== storedInGroup) problems.push(`group MsgSeq is not gapless: ${storedInGroup} messages, highest MsgSeq ${lastSeq}`);
    const expectedGroupEdited = Math.min(MESSAGES, answered('modify_group_msg'));
    if (editedInGroup < expectedGroupEdited) problems.push(`only ${editedInGroup} seeded group messages show an edit; at least ${expectedGroupEdited} expected`);
    for (const r of results) {
      for (const [what, f] of Object.entries({ ...r.warmup.failures, ...r.failures })) problems.push(`round ${r.round} ${r.kind}: ${f.count} × ${what} (${f.sample})`);
      if (r.errors + r.timeouts > 0) problems.push(`round ${r.round} ${r.kind}: ${r.errors} connection errors, ${r.timeouts} timeouts`);
    }

    const summary = report({ results, memory, phases: PHASES });
    console.log(`stored after the run: ${fmt(stored)} messages (${fmt(acknowledgedSends)} sends acknowledged); ${fmt(edited)} of ${fmt(MESSAGES)} seeded messages edited`);
    console.log(`group: ${fmt(storedInGroup)} messages, MsgSeq 1..${fmt(lastSeq)} (${fmt(acknowledgedGroupSends)} sends acknowledged); ${fmt(editedInGroup)} of ${fmt(MESSAGES)} seeded messages edited`);

    if (process.env['BENCH_JSON']) {
      const settings = { connections: CONNECTIONS, seconds: SECONDS, warmup: WARMUP, rounds: ROUNDS, messages: MESSAGES };
      const figures = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, settings, summary, results, memory, stored, acknowledgedSends, edited, problems };
      writeFileSync(resolve(process.env['BENCH_JSON']), `${JSON.stringify(figures, null, 2)}\n`);
    }
  } catch (error) {
    problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(`\nFAILED: these figures are not trustworthy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
}

await main();
