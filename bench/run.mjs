// `npm run bench`: sendmsg and modify_c2c_msg throughput of parley, as a ratio to a bare node:http
// JSON server measured in the same run with the same load generator, with the CPU per call of
// parley and of the services it calls. Configurations (bench/lib/configs.mjs): the embedded store
// as before (with the group phases), with an in-process or a Redis frequency limiter, PostgreSQL
// with Redis on one node and on two, SQLite with two workers, SQLite with 1,000 users and random
// keys, and (`--history N`) the same over N stored messages. Targets (the issues): modify >= 0.5
// of the ceiling on SQLite with durable commits, parley's peak RSS under 200 MB; modify >= 0.3 on
// PostgreSQL; the Redis limiter keeps >= 0.9 of a node's throughput; modify over N messages keeps
// >= 0.9 of it over 10,000, with p99 <= 15 ms. Exits non-zero only when a request failed or a
// server misbehaved; a missed target is reported, not fatal. Settings are described in
// docs/benchmarks.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/children.mjs';
import { CONFIGS, REFERENCE_OF, USERS_MESSAGES, checkStored, historyConfig, openConfig } from './lib/configs.mjs';
import { eventLoopUtilisation } from './lib/event-loop.mjs';
import { reportHistory } from './lib/report-history.mjs';
import { CONNECTIONS, runLoad } from './lib/load.mjs';
import { cpuPerCall, fmt, printRuns, report } from './lib/report.mjs';
import { measureIdle, measureLatency, reportEvents } from './lib/events.mjs';
import { reportScale } from './lib/report-scale.mjs';
import { openPostgres, openRedisControl, servicesCpu, servicesCpuSince } from './lib/services.mjs';
import { ALL_PHASES, baselineRequest } from './lib/workload.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function wholeNumber(name, raw, min) {
  const value = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(value) || value < min) throw new Error(`${name}=${raw}: expected a whole number >= ${min}`);
  return value;
}

function setting(name, fallback, min) {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : wholeNumber(name, raw, min);
}

function list(name, all, fallback = all) {
  const values = (process.env[name] || fallback.join(',')).split(',').map((p) => p.trim());
  if (values.length === 0 || values.some((p) => !all.includes(p))) throw new Error(`${name}: a comma-separated list of ${all.join(', ')}`);
  return values;
}

const SECONDS = setting('BENCH_SECONDS', 10, 1);
const WARMUP = setting('BENCH_WARMUP', Math.min(2, SECONDS), 0);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const MESSAGES = setting('BENCH_MESSAGES', 2000, 1);
const PHASES = list('BENCH_PHASES', ALL_PHASES);
// `--history N` or BENCH_HISTORY=N: the sqlite-history configuration, with N messages (0: none).
const HISTORY_FLAG = process.argv.indexOf('--history');
const HISTORY = HISTORY_FLAG === -1 ? setting('BENCH_HISTORY', 0, 0) : wholeNumber('--history', process.argv[HISTORY_FLAG + 1], 1);
// It runs sendmsg only when BENCH_PHASES names it.
const ALL_CONFIGS = HISTORY > 0 ? [...CONFIGS, historyConfig(HISTORY, { sends: (process.env['BENCH_PHASES'] ?? '').split(',').includes('sendmsg') })] : CONFIGS;
const CONFIG_NAMES = list('BENCH_CONFIGS', ALL_CONFIGS.map((c) => c.name), ALL_CONFIGS.filter((c) => !c.optional).map((c) => c.name));
const PROFILE_DIR = process.env['BENCH_CPU_PROF'] ? resolve(process.env['BENCH_CPU_PROF']) : undefined;
const POSTGRES_URL = process.env['PARLEY_BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['PARLEY_BENCH_REDIS_URL'] || 'redis://127.0.0.1:6379';

/** The node options of package.json's start script: `node <options> dist/src/server.js`. */
function startOptions() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const words = start.split(' ').filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/server.js') throw new Error(`package.json's start script is not "node [options] dist/src/server.js": ${start}`);
  return words.slice(1, -1);
}

/** parley runs with the node options `npm start` gives it, then BENCH_NODE_ARGS (V8 flags to try). */
const PARLEY_ARGS = [...startOptions(), ...(process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];

/** A URL fit to print: no password. */
const shown = (url) => {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
};

/**
 * Warm-up (checked, then discarded), then the measured run. CPU use of the servers, of
 * PostgreSQL and Redis, and of this process (the load generator) shows which one was the limit.
 */
async function phase({ config, kind, round, target, nextRequest, postgres }) {
  process.stdout.write(`  round ${round} ${config === 'baseline' ? '' : `${config} `}${kind}: ${WARMUP} s warm-up, ${SECONDS} s measured ...`);
  const baseUrls = target.urls;
  const warm = WARMUP > 0 ? await runLoad({ baseUrls, seconds: WARMUP, nextRequest }) : { failed: 0, checked: 0, failures: {} };
  const loops = await target.eventLoops?.();
  const services = await servicesCpu(postgres);
  const serverCpu = target.cpuSeconds();
  const fleetCpu = target.fleetCpuSeconds?.() ?? 0;
  const generatorCpu = process.cpuUsage();
  const started = performance.now();
  const run = await runLoad({ baseUrls, seconds: SECONDS, nextRequest });
  const wall = (performance.now() - started) / 1000;
  const generatorUsed = process.cpuUsage(generatorCpu);
  const serverUsed = target.cpuSeconds() - serverCpu;
  const fleetUsed = (target.fleetCpuSeconds?.() ?? 0) - fleetCpu;
  const used = servicesCpuSince(services, await servicesCpu(postgres));
  const eventLoop = loops === undefined ? undefined : eventLoopUtilisation(loops, await target.eventLoops());
  const cpu = {
    server: serverUsed / wall,
    generator: (generatorUsed.user + generatorUsed.system) / 1e6 / wall,
    postgres: used.postgres / wall,
    redis: used.redis / wall,
    // The event-stream clients and callback receiver of the configuration (bench/lib/fleet.mjs).
    fleet: fleetUsed / wall,
    otherPostgres: used.otherPostgres / wall,
  };
  const result = { config, kind, round, ...run, cpu, eventLoop, otherBackends: used.otherBackends, warmup: { checked: warm.checked, failed: warm.failed, failures: warm.failures } };
  const busy = eventLoop === undefined ? '' : `, event loop ${fmt(eventLoop.utilisation * 100)}% busy`;
  process.stdout.write(` ${fmt(run.requestsPerSecond)} req/s, ${fmt(cpuPerCall(result), 1)} µs CPU/call${busy}\n`);
  return result;
}

/** The configurations to run: those asked for, their references, less those whose services are away. */
async function chooseConfigs() {
  const names = new Set(HISTORY > 0 ? [...CONFIG_NAMES, 'sqlite-history'] : CONFIG_NAMES);
  for (const name of names) {
    const reference = REFERENCE_OF[name];
    if (reference !== undefined && !names.has(reference)) {
      names.add(reference);
      console.log(`note: ${reference} runs too, as the reference of ${name}`);
    }
  }
  let chosen = ALL_CONFIGS.filter((c) => names.has(c.name));
  const skipped = [];
  const skip = (why, which) => {
    const gone = chosen.filter(which);
    if (gone.length === 0) return;
    skipped.push({ configs: gone.map((c) => c.name), why });
    console.log(`note: skipping ${gone.map((c) => c.name).join(', ')}: ${why}`);
    chosen = chosen.filter((c) => !which(c));
  };
  let postgres;
  let redis;
  if (chosen.some((c) => c.store === 'postgres')) {
    postgres = await openPostgres(POSTGRES_URL);
    if ('reason' in postgres) skip(`PostgreSQL at ${shown(POSTGRES_URL)} does not answer (${postgres.reason}); set PARLEY_BENCH_DATABASE_URL`, (c) => c.store === 'postgres');
  }
  if (chosen.some((c) => c.redis)) {
    redis = await openRedisControl(REDIS_URL);
    if ('reason' in redis) skip(`Redis at ${shown(REDIS_URL)} does not answer (${redis.reason}); set PARLEY_BENCH_REDIS_URL`, (c) => c.redis);
  }
  skip(`BENCH_PHASES=${PHASES.join(',')} names none of their phases`, (c) => !c.phases.some((p) => PHASES.includes(p)));
  return { chosen, skipped, postgres: postgres && !('reason' in postgres) ? postgres : undefined, redis: redis && !('reason' in redis) ? redis : undefined };
}

/** Runs the rounds: each block opens with a baseline; a last baseline closes the last block. */
async function runRounds(baseline, opened, postgres) {
  const blocks = [...new Set(opened.map((o) => o.config.block))].map((block) => opened.filter((o) => o.config.block === block));
  const results = [];
  let previous; // the last baseline run
  let pending = []; // phase runs since it, waiting for the baseline after them
  const runBaseline = async (round) => {
    const r = await phase({ config: 'baseline', kind: 'baseline', round, target: { urls: [baseline.url], cpuSeconds: () => baseline.cpuSeconds() }, nextRequest: baselineRequest, postgres });
    for (const p of pending) {
      // Each run's ceiling is the mean of the baselines just before and just after its block.
      p.ceiling = (previous.requestsPerSecond + r.requestsPerSecond) / 2;
      p.ceilingCpuPerCall = (cpuPerCall(previous) + cpuPerCall(r)) / 2;
    }
    pending = [];
    previous = r;
    results.push(r);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const block of blocks) {
      await runBaseline(round);
      // Configurations compared with each other run phase by phase, and take turns going first.
      const order = round % 2 === 1 ? block : [...block].reverse();
      const kinds = [...new Set(block.flatMap((o) => o.phases))];
      for (const kind of kinds) {
        for (const o of order) {
          if (!o.phases.includes(kind)) continue;
          const r = await phase({ config: o.config.name, kind, round, target: o, nextRequest: o.requests[kind], postgres });
          pending.push(r);
          results.push(r);
        }
      }
    }
  }
  await runBaseline(ROUNDS + 1);
  return results;
}

async function main() {
  const began = performance.now();
  const dataRoot = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const servers = [];
  const opened = [];
  const problems = [];
  let services = { skipped: [] };
  try {
    console.log(
      `parley bench: ${CONNECTIONS} connections, ${ROUNDS} round(s) of ${WARMUP} s warm-up + ${SECONDS} s per phase, ` +
        `${cpus().length} CPUs, node ${process.version}, data in ${dataRoot}`,
    );
    services = await chooseConfigs();
    const profileArgs = [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...PARLEY_ARGS];
    const baseline = await startServer('baseline', [join(ROOT, 'bench/baseline-server.mjs')], {});
    servers.push(baseline);
    for (const config of services.chosen) {
      const phases = config.phases.filter((p) => PHASES.includes(p));
      const dataDir = join(dataRoot, config.name);
      mkdirSync(dataDir);
      process.stdout.write(`  starting ${config.name} (${config.title}) and ${config.preload === undefined ? `seeding ${fmt(MESSAGES)}` : `loading ${fmt(config.preload)}`} messages ...`);
      const o = await openConfig(config, { root: ROOT, dataDir, messages: MESSAGES, phases, postgres: services.postgres, redis: services.redis, redisUrl: REDIS_URL, tag: process.pid, nodeArgs: profileArgs });
      servers.push(...o.nodes);
      opened.push(o);
      const load = o.load === undefined ? '' : ` (loaded in ${fmt(o.load.loadSeconds, 1)} s + ${fmt(o.load.indexSeconds, 1)} s for the indexes, ${fmt(o.load.bytes / 1e6, 1)} MB, ${fmt(o.load.bytes / config.preload)} bytes per message)`;
      process.stdout.write(` ${o.urls.join(' ')}${load}\n`);
    }

    const results = await runRounds(baseline, opened, services.postgres);
    const latency = await measureLatency(opened);

    const memory = { baseline: baseline.memory() };
    for (const o of opened) memory[o.config.name] = o.memory();
    await baseline.stop();
    const stored = {};
    for (const o of opened) {
      problems.push(...(await o.stop()));
      // What was acknowledged must be in the store: count it after parley closed it.
      const facts = await o.stored();
      const mine = results.filter((r) => r.config === o.config.name);
      const answered = (kind) => mine.filter((r) => r.kind === kind).reduce((n, r) => n + r.checked + r.warmup.checked - r.failed - r.warmup.failed, 0);
      const check = checkStored(o.config.name, facts, answered, { messages: o.preloaded, phases: o.phases, modified: o.modified });
      problems.push(...check.problems);
      stored[o.config.name] = { ...facts, preloaded: o.preloaded, modifiedKeys: o.modified?.(), acknowledgedSends: check.acknowledgedSends, acknowledgedGroupSends: check.acknowledgedGroupSends };
    }
    const idle = await measureIdle(opened, { root: ROOT, dataRoot, nodeArgs: PARLEY_ARGS });
    for (const r of results) {
      const label = `round ${r.round} ${r.config === 'baseline' ? '' : `${r.config} `}${r.kind}`;
      for (const [what, f] of Object.entries({ ...r.warmup.failures, ...r.failures })) problems.push(`${label}: ${f.count} × ${what} (${f.sample})`);
      if (r.errors + r.timeouts > 0) problems.push(`${label}: ${r.errors} connection errors, ${r.timeouts} timeouts`);
    }

    printRuns(results);
    let summary;
    const sqlite = opened.find((o) => o.config.name === 'sqlite');
    if (sqlite !== undefined) {
      summary = report({ results: results.filter((r) => r.config === 'sqlite' || r.kind === 'baseline'), memory: { parley: memory.sqlite, baseline: memory.baseline }, phases: sqlite.phases });
      const s = stored.sqlite;
      console.log(`stored after the run: ${fmt(s.stored)} messages (${fmt(s.acknowledgedSends)} sends acknowledged); ${fmt(s.edited)} of ${fmt(MESSAGES)} seeded messages edited`);
      if (sqlite.phases.some((p) => p.includes('group'))) {
        console.log(`group: ${fmt(s.storedInGroup)} messages, MsgSeq 1..${fmt(s.lastSeq)} (${fmt(s.acknowledgedGroupSends)} sends acknowledged); ${fmt(s.editedInGroup)} of ${fmt(MESSAGES)} seeded messages edited`);
      }
    }
    const scale = reportScale({ results, configs: opened.map((o) => ({ config: o.config, memory: memory[o.config.name] })) });
    const eventsFigures = { latency, idle, fleets: Object.fromEntries(opened.filter((o) => o.fleetStats).map((o) => [o.config.name, { ...o.fleetStats, modifications: results.filter((r) => r.config === o.config.name).reduce((n, r) => n + r.checked + r.warmup.checked, 0) }])) };
    problems.push(...reportEvents(eventsFigures));
    const history = reportHistory({ scale, stored });
    for (const o of opened) {
      if (o.config.name === 'sqlite') continue;
      const s = stored[o.config.name];
      const named = s.modifiedKeys === undefined ? '' : ` (the requests named ${fmt(s.modifiedKeys.distinct)} distinct ones)`;
      console.log(`${o.config.name}: ${fmt(s.stored)} messages stored (${fmt(s.acknowledgedSends)} sends acknowledged); ${fmt(s.edited)} of ${fmt(s.preloaded)} ${o.load === undefined ? 'seeded' : 'loaded'} messages edited${named}`);
    }
    for (const s of services.skipped) console.log(`skipped ${s.configs.join(', ')}: ${s.why}`);
    console.log(`the bench took ${fmt((performance.now() - began) / 60_000, 1)} min`);

    if (process.env['BENCH_JSON']) {
      const settings = { connections: CONNECTIONS, seconds: SECONDS, warmup: WARMUP, rounds: ROUNDS, messages: MESSAGES, usersMessages: USERS_MESSAGES, history: HISTORY, phases: PHASES, configs: opened.map((o) => o.config.name) };
      const configs = Object.fromEntries(opened.map((o) => [o.config.name, { ...o.config, phases: o.phases, env: o.env, nodes: o.nodes.length, load: o.load }]));
      const figures = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, settings, configs, skipped: services.skipped, summary, scale, history, events: eventsFigures, results, memory, stored, problems };
      writeFileSync(resolve(process.env['BENCH_JSON']), `${JSON.stringify(figures, null, 2)}\n`);
    }
  } catch (error) {
    problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await services.postgres?.close();
    await services.redis?.close();
    rmSync(dataRoot, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(`\nFAILED: these figures are not trustworthy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
}

await main();
