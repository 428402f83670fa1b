// The event stream and callbacks in the bench: the fleet of sockets and the callback receiver
// (fleet.mjs, a child process), event delivery latency from the REST answer to the peer's frame,
// and parley's memory with many idle sockets.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { signUserSig } from '../../dist/src/usersig/sign.js';
import { startServer } from './children.mjs';
import { runLoad } from './load.mjs';
import { memoryOf } from './proc.mjs';
import { median } from './report.mjs';
import { SDKAPPID, SECRET_KEY, call, text } from './workload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** How long opening a fleet's sockets may take. */
const OPEN_TIMEOUT_MS = 180_000;

/** Starts the fleet process; resolves once its callback receiver listens. */
export async function startFleet() {
  const child = fork(join(HERE, 'fleet.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies = [];
  const waiting = [];
  child.on('message', (message) => {
    const w = waiting.findIndex((x) => x.type === message.type);
    if (w >= 0) waiting.splice(w, 1)[0].resolve(message);
    else replies.push(message);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const next = (type, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const r = replies.findIndex((x) => x.type === type);
      if (r >= 0) return resolve(replies.splice(r, 1)[0]);
      const timer = setTimeout(() => reject(new Error(`the fleet did not answer ${type} within ${timeoutMs / 1000} s`)), timeoutMs);
      waiting.push({ type, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  const { sinkUrl } = await next('ready');
  return {
    pid: child.pid,
    sinkUrl,
    /** Opens a socket per user on parley at `url`; resolves with { opened, failed, firstError }. */
    async open(url, users) {
      child.send({ type: 'open', url, users, sdkappid: SDKAPPID, secretKey: SECRET_KEY, concurrency: 100 });
      return next('opened', OPEN_TIMEOUT_MS);
    },
    /** Frames and callbacks received so far, sockets open, sockets the server closed. */
    async stats() {
      child.send({ type: 'stats' });
      return next('stats');
    },
    async close() {
      if (child.connected) child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Imports `users`, 100 per multiaccount_import call. */
export async function importUsers(baseUrl, users) {
  for (let i = 0; i < users.length; i += 100) {
    await call(baseUrl, 'im_open_login_svc/multiaccount_import', JSON.stringify({ Accounts: users.slice(i, i + 100) }));
  }
}

/** The users a fleet of `count` sockets connects as: the bench's u1 and u2 first, then e3, e4, ... */
export const fleetUsers = (count) => ['u1', 'u2', ...Array.from({ length: Math.max(0, count - 2) }, (_, i) => `e${i + 3}`)].slice(0, count);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Event delivery latency: `probes` modify_c2c_msg calls, `inFlight` at a time, each editing a
 * seeded u1 -> u2 message with a text of its own; u2's socket (opened here, in the same process
 * and so on the same clock as the answers) records when the C2C.MsgModified frame carrying that
 * text arrives. Latency is frame time minus answer time; a frame that came first counts as 0.
 * With `load`, the same server serves a modify load on 50 other connections meanwhile.
 */
export async function probeLatency({ url, keys, probes, inFlight = 4, load }) {
  const userSig = signUserSig({ sdkappid: SDKAPPID, identifier: 'u2', time: Math.floor(Date.now() / 1000), expire: 86_400 }, SECRET_KEY);
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/parley/v1/events?sdkappid=${SDKAPPID}&identifier=u2&usersig=${encodeURIComponent(userSig)}`, { perMessageDeflate: false });
  const frameAt = new Map(); // probe text -> time its frame arrived
  const waiters = new Map(); // probe text -> resolve
  await new Promise((resolve, reject) => {
    ws.once('message', resolve); // Stream.Connected
    ws.once('error', reject);
  });
  ws.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(data.toString());
    if (frame.Event !== 'C2C.MsgModified') return;
    const t = frame.MsgBody?.[0]?.MsgContent?.Text;
    if (typeof t !== 'string' || !t.startsWith('probe ')) return;
    frameAt.set(t, at);
    waiters.get(t)?.();
  });
  const adminSig = signUserSig({ sdkappid: SDKAPPID, identifier: 'administrator', time: Math.floor(Date.now() / 1000), expire: 86_400 }, SECRET_KEY);
  const latencies = [];
  let missing = 0;
  let early = 0;
  let next = 0;
  const tag = `${process.pid}-${Date.now()}`;
  const one = async (n) => {
    const label = `probe edited ${tag} ${n}`; // "edited " as the bench's own edits say: the run's checks count it
    const arrived = new Promise((resolve) => waiters.set(label, resolve));
    const body = JSON.stringify({ From_Account: 'u1', To_Account: 'u2', MsgKey: keys[n % keys.length], MsgBody: text(label) });
    const response = await fetch(`${url}/v4/openim/modify_c2c_msg?sdkappid=${SDKAPPID}&identifier=administrator&usersig=${encodeURIComponent(adminSig)}&random=${n}&contenttype=json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const reply = await response.json();
    const answeredAt = performance.now();
    if (reply.ErrorCode !== 0) throw new Error(`latency probe: modify_c2c_msg answered ${reply.ErrorCode} ${reply.ErrorInfo}`);
    const timeout = new Promise((resolve) => setTimeout(resolve, 5_000, 'timeout'));
    if ((await Promise.race([arrived, timeout])) === 'timeout') missing += 1;
    else {
      const delta = frameAt.get(label) - answeredAt;
      if (delta < 0) early += 1;
      latencies.push(Math.max(0, delta));
    }
    waiters.delete(label);
    frameAt.delete(label);
  };
  const worker = async () => {
    while (next < probes) await one(next++);
  };
  const loadRun = load === undefined ? undefined : runLoad({ baseUrls: [url], seconds: load.seconds, nextRequest: load.nextRequest });
  // Under load, the probes start once the load is running and must end before it does.
  if (loadRun !== undefined) await new Promise((resolve) => setTimeout(resolve, 1_000));
  await Promise.all(Array.from({ length: inFlight }, worker));
  const loaded = loadRun === undefined ? undefined : await loadRun;
  ws.terminate();
  latencies.sort((a, b) => a - b);
  return {
    probes,
    received: latencies.length,
    missing,
    early,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    median: median(latencies),
    load: loaded === undefined ? undefined : { requestsPerSecond: loaded.requestsPerSecond, failed: loaded.failed },
  };
}

/**
 * A fresh parley on the embedded store with `count` idle sockets, one per user: its resident
 * memory before they connect, its peak with them, and what one socket costs.
 */
export async function idleSockets({ root, dataDir, count, holdMs = 5_000, nodeArgs = [] }) {
  const env = {
    PARLEY_PORT: '0',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_RATE_LIMIT: '0',
    PARLEY_SDKAPPID: String(SDKAPPID),
    PARLEY_SECRET_KEY: SECRET_KEY,
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_WORKERS: '1',
    PARLEY_DATABASE_URL: '',
    PARLEY_REDIS_URL: '',
  };
  const server = await startServer('idle-sockets', [...nodeArgs, join(root, 'dist/src/server.js')], env);
  const fleet = await startFleet();
  try {
    const users = Array.from({ length: count }, (_, i) => `idle${i}`);
    await importUsers(server.url, users);
    const before = memoryOf(server.pid);
    const started = performance.now();
    const opened = await fleet.open(server.url, users);
    const openSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    const after = memoryOf(server.pid);
    const stats = await fleet.stats();
    return {
      sockets: count,
      opened: opened.opened,
      failed: opened.failed,
      firstError: opened.firstError,
      stillOpen: stats.open,
      openSeconds,
      beforeMiB: before.currentMiB,
      peakMiB: after.peakMiB,
      afterMiB: after.currentMiB,
      perSocketKiB: ((after.currentMiB - before.currentMiB) * 1024) / Math.max(1, opened.opened),
    };
  } finally {
    await fleet.close();
    const exit = await server.stop();
    if (exit.code !== 0) throw new Error(`idle-sockets did not stop cleanly (exit ${exit.signal ?? exit.code})`);
  }
}

/** Probes per latency measurement (BENCH_LATENCY_PROBES) and idle sockets (BENCH_IDLE_SOCKETS). */
const LATENCY_PROBES = Number(process.env['BENCH_LATENCY_PROBES'] || 2000);
const IDLE_SOCKETS = Number(process.env['BENCH_IDLE_SOCKETS'] || 10_000);

/** Latency on the configuration with sockets, before its nodes stop: quiet, then under a modify load. */
export async function measureLatency(opened) {
  const o = opened.find((x) => x.config.sockets);
  if (o === undefined) return undefined;
  process.stdout.write(`  event delivery latency on ${o.config.name}: ${LATENCY_PROBES} probes quiet ...`);
  const quiet = await probeLatency({ url: o.urls[0], keys: o.seeded.keys, probes: LATENCY_PROBES });
  process.stdout.write(` p50 ${quiet.p50.toFixed(2)} ms; under a modify load (50 connections) ...`);
  const loaded = await probeLatency({ url: o.urls[0], keys: o.seeded.keys, probes: Math.ceil(LATENCY_PROBES / 2), load: { seconds: 10, nextRequest: o.requests.modify } });
  process.stdout.write(` p50 ${loaded.p50.toFixed(2)} ms\n`);
  return { config: o.config.name, sockets: o.config.sockets, quiet, loaded };
}

/** Idle sockets on a fresh node, once the other servers have stopped. */
export async function measureIdle(opened, { root, dataRoot, nodeArgs }) {
  if (!opened.some((x) => x.config.sockets)) return undefined;
  process.stdout.write(`  ${IDLE_SOCKETS.toLocaleString('en-US')} idle sockets on a fresh SQLite node ...`);
  const figures = await idleSockets({ root, dataDir: join(dataRoot, 'idle-sockets'), count: IDLE_SOCKETS, nodeArgs });
  process.stdout.write(` opened in ${figures.openSeconds.toFixed(1)} s, peak RSS ${(figures.peakMiB * 1.048576).toFixed(1)} MB\n`);
  return figures;
}

/** Prints the event-stream figures; returns the problems they show (sockets that failed, frames lost). */
export function reportEvents({ latency, idle, fleets }) {
  const problems = [];
  if (latency === undefined && idle === undefined) return problems;
  const ms = (v) => (v === undefined ? '-' : v.toFixed(2));
  console.log('\nevent stream and callbacks');
  if (latency !== undefined) {
    for (const [what, l] of [['quiet', latency.quiet], ['under a modify load', latency.loaded]]) {
      console.log(
        `  delivery latency, REST answer -> C2C.MsgModified frame on the peer's socket (${latency.sockets.toLocaleString('en-US')} sockets open), ${what}: ` +
          `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms over ${l.received} probes` +
          `${l.early > 0 ? ` (${l.early} frames came before the answer: counted as 0)` : ''}${l.load ? `; the load ran at ${Math.round(l.load.requestsPerSecond).toLocaleString('en-US')} req/s` : ''}`,
      );
      if (l.missing > 0) problems.push(`latency (${what}): ${l.missing} of ${l.probes} modifications never reached the peer's socket within 5 s`);
      if (l.load?.failed > 0) problems.push(`latency (${what}): ${l.load.failed} requests of the load failed`);
    }
  }
  for (const [name, f] of Object.entries(fleets)) {
    console.log(
      `  ${name}: its sockets received ${f.frames.toLocaleString('en-US')} frames and its receiver ${f.callbacks.toLocaleString('en-US')} callbacks ` +
        `for ${f.modifications.toLocaleString('en-US')} modifications in the phases (the latency probes added more)`,
    );
  }
  if (idle !== undefined) {
    const mb = (mib) => (mib * 1.048576).toFixed(1);
    console.log(
      `  ${idle.sockets.toLocaleString('en-US')} idle sockets: parley's peak RSS ${mb(idle.peakMiB)} MB (${mb(idle.beforeMiB)} MB before they connected, ` +
        `${mb(idle.afterMiB)} MB with them: ${idle.perSocketKiB.toFixed(1)} KiB per socket); all connected in ${idle.openSeconds.toFixed(1)} s`,
    );
    if (idle.failed > 0) problems.push(`idle sockets: ${idle.failed} of ${idle.sockets} could not connect (${idle.firstError})`);
    if (idle.stillOpen !== idle.opened) problems.push(`idle sockets: ${idle.opened - idle.stillOpen} were closed by the server while idle`);
  }
  return problems;
}
