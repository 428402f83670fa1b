// The deployments the bench compares: the embedded store as today, with a frequency limit kept in
// process or in Redis, PostgreSQL with Redis on one node and on two, SQLite with two workers, and
// SQLite with 1,000 users and a history of 10,000 messages or of many millions. Each one starts its
// own parley processes on its own data (a temp directory, or a PostgreSQL schema and a Redis prefix
// of its own), is seeded or loaded, and is checked after it has stopped.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from './children.mjs';
import { readEventLoops } from './event-loop.mjs';
import { databaseBytes, loadHistory } from './history.mjs';
import { familyCpuSeconds } from './proc.mjs';
import { fmt } from './report.mjs';
import { fleetUsers, importUsers, startFleet } from './events.mjs';
import { ALL_PHASES, GROUP_PHASES, SDKAPPID, SECRET_KEY, USERS, requestsFor, seed, usersRequests } from './workload.mjs';

/** Sockets on the event stream in the sqlite-events configuration (BENCH_EVENT_SOCKETS). */
export const EVENT_SOCKETS = Number(process.env['BENCH_EVENT_SOCKETS'] || 1000);
/** Messages loaded for the sqlite-users configuration (BENCH_USERS_MESSAGES). */
export const USERS_MESSAGES = Number(process.env['BENCH_USERS_MESSAGES'] || 10_000);
/** Seed of the many-user configurations' history and of their requests' random draws. */
const HISTORY_SEED = 11;

/** A frequency limit no phase comes near, so the limiter runs but never refuses. */
export const HIGH_RATE_LIMIT = 100_000;
const SCALE_PHASES = ['modify', 'sendmsg'];
const usersTitle = (messages) => `SQLite, ${fmt(USERS.length)} users, random keys over ${fmt(messages)} messages`;

/**
 * Every configuration, in the blocks a round runs: each block opens with a baseline, so every
 * phase has a ceiling measured at most a block away. Configurations of one block run phase by
 * phase, alternating which goes first, because they are compared with each other.
 */
export const CONFIGS = [
  { name: 'sqlite', block: 1, title: 'SQLite, rate limit off (as before)', store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: ALL_PHASES },
  { name: 'sqlite-events', block: 1, title: `SQLite, ${EVENT_SOCKETS.toLocaleString('en-US')} sockets on the event stream and every callback on`, store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: ['modify'], sockets: EVENT_SOCKETS, callbacks: true },
  // Either half alone, to tell their costs apart (BENCH_CONFIGS=sqlite-sockets,sqlite-callbacks; not in the default run).
  { name: 'sqlite-sockets', block: 1, optional: true, title: `SQLite, ${EVENT_SOCKETS.toLocaleString('en-US')} sockets on the event stream`, store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: ['modify'], sockets: EVENT_SOCKETS, callbacks: false },
  { name: 'sqlite-callbacks', block: 1, optional: true, title: 'SQLite, every callback on', store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: ['modify'], sockets: 0, callbacks: true },
  // Loaded, not seeded (bench/lib/history.mjs): `preload` messages among USERS.
  { name: 'sqlite-users', block: 1, title: usersTitle(USERS_MESSAGES), store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: SCALE_PHASES, preload: USERS_MESSAGES },
  { name: 'sqlite-limit', block: 2, title: `SQLite, in-process limiter at ${HIGH_RATE_LIMIT}/s`, store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: HIGH_RATE_LIMIT, phases: SCALE_PHASES },
  { name: 'sqlite-redis', block: 2, title: `SQLite, Redis limiter at ${HIGH_RATE_LIMIT}/s and Redis bus`, store: 'sqlite', redis: true, nodes: 1, workers: 1, rateLimit: HIGH_RATE_LIMIT, phases: SCALE_PHASES },
  { name: 'postgres', block: 3, title: `PostgreSQL + Redis, one node`, store: 'postgres', redis: true, nodes: 1, workers: 1, rateLimit: HIGH_RATE_LIMIT, phases: SCALE_PHASES },
  { name: 'postgres-2', block: 3, title: `PostgreSQL + Redis, two nodes (two ports)`, store: 'postgres', redis: true, nodes: 2, workers: 1, rateLimit: HIGH_RATE_LIMIT, phases: SCALE_PHASES },
  { name: 'sqlite-2', block: 4, title: `SQLite, --workers 2 (one port)`, store: 'sqlite', redis: false, nodes: 1, workers: 2, rateLimit: HIGH_RATE_LIMIT, phases: SCALE_PHASES },
];

/**
 * sqlite-history (--history N): sqlite-users with N messages, compared with it. It runs modify, and
 * sendmsg too when `sends`.
 */
export function historyConfig(messages, { sends }) {
  return { name: 'sqlite-history', block: 1, optional: true, title: usersTitle(messages), store: 'sqlite', redis: false, nodes: 1, workers: 1, rateLimit: 0, phases: sends ? SCALE_PHASES : ['modify'], preload: messages };
}

/** Configurations that are the like-for-like reference of another, and run whenever it does. */
export const REFERENCE_OF = { 'sqlite-history': 'sqlite-users', 'sqlite-events': 'sqlite', 'sqlite-sockets': 'sqlite', 'sqlite-callbacks': 'sqlite', 'sqlite-redis': 'sqlite-limit', 'sqlite-2': 'sqlite-limit', 'postgres-2': 'postgres' };

/**
 * Starts a configuration's parley processes and seeds them (or loads its history before they
 * start, for a configuration with `preload`). `postgres` and `redis` are the
 * services' control handles (openPostgres, openRedisControl); `tag` makes its schema and prefix
 * unique to this run.
 */
export async function openConfig(config, { root, dataDir, messages, phases, postgres, redis, redisUrl, tag, nodeArgs = [] }) {
  const env = {
    PARLEY_PORT: '0',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_RATE_LIMIT: String(config.rateLimit),
    PARLEY_SDKAPPID: String(SDKAPPID),
    PARLEY_SECRET_KEY: SECRET_KEY,
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_WORKERS: String(config.workers),
    // Whatever the shell that runs the bench has set, a configuration gets only its own services.
    PARLEY_DATABASE_URL: '',
    PARLEY_REDIS_URL: '',
    PARLEY_CALLBACK_URL: '',
  };
  const schema = `parley_bench_${tag}_${config.name.replaceAll('-', '_')}`;
  if (config.store === 'postgres') env.PARLEY_DATABASE_URL = await postgres.createSchema(schema);
  if (config.redis) {
    env.PARLEY_REDIS_URL = redisUrl;
    env.PARLEY_REDIS_PREFIX = redis.use(`parley-bench-${tag}-${config.name}`);
  }
  const nodes = [];
  // The people and the app server around it: sockets on the event stream, a callback receiver.
  const fleet = config.sockets || config.callbacks ? await startFleet() : undefined;
  if (config.callbacks) env.PARLEY_CALLBACK_URL = fleet.sinkUrl;
  const open = {
    fleet,
    config,
    nodes,
    env: Object.fromEntries(Object.entries(env).filter(([name]) => !['PARLEY_SECRET_KEY', 'PARLEY_DATA_DIR', 'PARLEY_PORT'].includes(name))),
    phases,
    get urls() {
      return nodes.map((n) => n.url);
    },
    cpuSeconds: () => nodes.reduce((sum, n) => sum + n.cpuSeconds(), 0),
    /** Event-loop times of every parley process, by pid (bench/lib/event-loop.mjs). */
    eventLoops: () => readEventLoops(nodes.map((n) => n.url), config.workers),
    fleetCpuSeconds: () => (fleet === undefined ? 0 : familyCpuSeconds(fleet.pid)),
    /** Peak RSS of the largest parley process, and the sum over all of them. */
    memory() {
      const all = nodes.map((n) => n.memory());
      return { peakMiB: Math.max(...all.map((m) => m.peakMiB)), totalPeakMiB: all.reduce((n, m) => n + m.totalPeakMiB, 0), processes: all.flatMap((m) => m.processes) };
    },
    /** Stops every node; resolves with what went wrong (a node that did not exit 0). */
    async stop() {
      const problems = [];
      if (fleet !== undefined) {
        const stats = await fleet.stats();
        open.fleetStats = stats;
        if (stats.unexpectedCloses > 0) problems.push(`${config.name}: the server closed ${stats.unexpectedCloses} event-stream sockets during the run`);
        await fleet.close();
      }
      for (const node of nodes) {
        const exit = await node.stop();
        if (exit.code !== 0) problems.push(`${node.name} did not stop cleanly (exit ${exit.signal ?? exit.code})`);
      }
      return problems;
    },
    /** What the run left in the store, read after the nodes stopped. */
    async stored() {
      if (config.store === 'postgres') return postgres.stored(schema);
      const db = new Database(join(dataDir, 'parley.db'), { readonly: true });
      try {
        const count = (sql) => db.prepare(sql).pluck().get() ?? 0;
        return {
          stored: count('SELECT count(*) FROM c2c_messages'),
          edited: count("SELECT count(*) FROM c2c_messages WHERE body LIKE '%edited %'"),
          storedInGroup: count('SELECT count(*) FROM group_messages'),
          editedInGroup: count("SELECT count(*) FROM group_messages WHERE body LIKE '%edited %'"),
          lastSeq: count('SELECT max(msg_seq) FROM group_messages'),
          databaseBytes: databaseBytes(dataDir),
        };
      } finally {
        db.close();
      }
    },
  };
  if (config.preload !== undefined) {
    const { keys, ...load } = loadHistory(dataDir, config.preload, { seed: HISTORY_SEED });
    const builders = usersRequests(keys, HISTORY_SEED + 2);
    open.requests = builders.requests;
    open.modified = builders.modified;
    open.load = { ...load, keys: keys.length };
  }
  open.preloaded = config.preload ?? messages;
  for (let i = 1; i <= config.nodes; i++) {
    const name = config.nodes === 1 ? config.name : `${config.name}#${i}`;
    nodes.push(await startServer(name, [...nodeArgs, join(root, 'dist/src/server.js')], env));
  }
  if (config.preload === undefined) {
    const seeded = await seed(nodes[0].url, messages, { group: phases.some((p) => GROUP_PHASES.includes(p)) });
    open.requests = requestsFor(seeded, messages);
    open.seeded = seeded;
  }
  if (config.sockets) {
    const users = fleetUsers(config.sockets);
    await importUsers(nodes[0].url, users.slice(2));
    const opened = await fleet.open(nodes[0].url, users);
    if (opened.failed > 0) throw new Error(`${config.name}: ${opened.failed} of ${users.length} sockets could not connect (${opened.firstError})`);
  }
  return open;
}

/**
 * The checks of one configuration after its nodes stopped: every acknowledged send stored, every
 * seeded message edited when enough edits were acknowledged (with random keys: every key the
 * requests named, less one per request not acknowledged, and none other), group MsgSeq gapless.
 * `messages` were seeded or loaded; `modified` is the random-key builder's count, if it has one.
 */
export function checkStored(name, facts, answered, { messages, phases, modified }) {
  const problems = [];
  const grouped = phases.some((p) => GROUP_PHASES.includes(p));
  const acknowledgedSends = messages + answered('sendmsg');
  if (facts.stored < acknowledgedSends) problems.push(`${name}: only ${facts.stored} messages stored, ${acknowledgedSends} sends acknowledged`);
  if (modified === undefined) {
    const expectedEdited = Math.min(messages, answered('modify'));
    if (facts.edited < expectedEdited) problems.push(`${name}: only ${facts.edited} seeded messages show an edit; at least ${expectedEdited} expected`);
  } else {
    const { built, distinct } = modified();
    // A request not acknowledged (failed, or cut off by the end of a run) may or may not have edited its message.
    const atLeast = distinct - (built - answered('modify'));
    if (facts.edited < atLeast) problems.push(`${name}: only ${facts.edited} loaded messages show an edit; the requests named ${distinct} distinct ones, so at least ${atLeast} expected`);
    if (facts.edited > distinct) problems.push(`${name}: ${facts.edited} loaded messages show an edit, but the requests named only ${distinct}`);
  }
  if (grouped) {
    const acknowledgedGroupSends = messages + answered('send_group_msg');
    if (facts.storedInGroup < acknowledgedGroupSends) problems.push(`${name}: only ${facts.storedInGroup} group messages stored, ${acknowledgedGroupSends} sends acknowledged`);
    if (facts.lastSeq !== facts.storedInGroup) problems.push(`${name}: group MsgSeq is not gapless: ${facts.storedInGroup} messages, highest MsgSeq ${facts.lastSeq}`);
    const expectedGroupEdited = Math.min(messages, answered('modify_group_msg'));
    if (facts.editedInGroup < expectedGroupEdited) problems.push(`${name}: only ${facts.editedInGroup} seeded group messages show an edit; at least ${expectedGroupEdited} expected`);
  }
  return { problems, acknowledgedSends, acknowledgedGroupSends: grouped ? messages + answered('send_group_msg') : undefined };
}
