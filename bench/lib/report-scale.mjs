// The configurations side by side: each phase as a ratio to the same interleaved ceiling, the CPU
// per call of parley and of the services it calls, the scale-out targets and the pairwise
// comparisons (Redis limiter against the in-process one, two nodes against one).
import { cpuPerCall, eventLoopMedian, fmt, median, pctOrBlank } from './report.mjs';

/** modify_c2c_msg on PostgreSQL must reach this share of the bare node:http ceiling. */
export const POSTGRES_MODIFY_TARGET = 0.3;
/** An embedded-store node with the Redis limiter must keep this share of the same node without it. */
export const REDIS_LIMITER_TARGET = 0.9;
/** modify_c2c_msg with 1,000 sockets on the event stream and callbacks on must keep this share of it with neither. */
export const EVENTS_TARGET = 0.7;

/** Pairs worth comparing round by round: [configuration, its reference, what differs]. */
export const COMPARISONS = [
  ['sqlite-users', 'sqlite', '1,000 users and random keys vs two users and keys in turn'],
  ['sqlite-history', 'sqlite-users', 'random keys over the long history vs over the short one'],
  ['sqlite-events', 'sqlite', 'event-stream sockets and callbacks on vs neither'],
  ['sqlite-sockets', 'sqlite', 'event-stream sockets vs none'],
  ['sqlite-callbacks', 'sqlite', 'callbacks on vs off'],
  ['sqlite-limit', 'sqlite', 'in-process limiter at 100,000/s vs limit off'],
  ['sqlite-redis', 'sqlite-limit', 'Redis limiter and bus vs in-process limiter'],
  ['postgres', 'sqlite-redis', 'PostgreSQL vs SQLite store, both with Redis'],
  ['postgres-2', 'postgres', 'PostgreSQL: two nodes vs one'],
  ['sqlite-2', 'sqlite-limit', 'SQLite: --workers 2 vs one process'],
];

const range = (values, digits = 2) => `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}

/** Medians over rounds of one configuration's phase. */
function phaseFigures(runs) {
  const ratios = runs.map((r) => r.requestsPerSecond / r.ceiling);
  const perCall = (seconds) => median(runs.map((r) => cpuPerCall(r, seconds(r))));
  return {
    rounds: runs.length,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    p99: median(runs.map((r) => r.latency.p99)),
    parleyCpuPerCall: perCall((r) => r.cpu.server),
    cpuTimesCeiling: median(runs.map((r) => cpuPerCall(r) / r.ceilingCpuPerCall)),
    postgresCpuPerCall: perCall((r) => r.cpu.postgres),
    redisCpuPerCall: perCall((r) => r.cpu.redis),
    totalCpuPerCall: perCall((r) => r.cpu.server + r.cpu.postgres + r.cpu.redis),
    // Cores busy on the whole path (parley, services, load generator): near the machine's count, CPU is the limit.
    coresBusy: median(runs.map((r) => r.cpu.server + r.cpu.postgres + r.cpu.redis + r.cpu.generator + (r.cpu.fleet ?? 0))),
    fleetCpuPerCall: perCall((r) => r.cpu.fleet ?? 0),
    parleyCores: median(runs.map((r) => r.cpu.server)),
    // Mean over parley's processes, median over rounds.
    eventLoopUtilisation: eventLoopMedian(runs),
    postgresCores: median(runs.map((r) => r.cpu.postgres)),
  };
}

/**
 * Prints one row per configuration and phase, the targets and the comparisons; returns them all.
 * `configs` are the configurations that ran, each with its memory read before it stopped.
 */
export function reportScale({ results, configs }) {
  const summary = { configs: {}, comparisons: {}, targets: {} };
  const rows = [['config', 'phase', 'req/s', 'ratio', 'ratio range', 'p99 ms', 'parley µs/call', '× ceiling', 'PG µs/call', 'Redis µs/call', 'total µs/call', 'cores busy', 'event loop', 'peak RSS MB']];
  for (const { config, memory } of configs) {
    const peakMB = memory.peakMiB * 1.048576;
    const processes = memory.processes.length;
    summary.configs[config.name] = { title: config.title, peakMB, totalPeakMB: memory.totalPeakMiB * 1.048576, processes, phases: {} };
    for (const kind of config.phases) {
      const runs = results.filter((r) => r.config === config.name && r.kind === kind);
      if (runs.length === 0) continue;
      const f = phaseFigures(runs);
      // Memory goes on the configuration's first row: the first of its phases that ran.
      const firstRow = Object.keys(summary.configs[config.name].phases).length === 0;
      summary.configs[config.name].phases[kind] = f;
      rows.push([
        config.name,
        kind,
        fmt(f.requestsPerSecond),
        fmt(f.ratio, 2),
        range(runs.map((r) => r.requestsPerSecond / r.ceiling)),
        fmt(f.p99),
        fmt(f.parleyCpuPerCall, 1),
        fmt(f.cpuTimesCeiling, 2),
        config.store === 'postgres' ? fmt(f.postgresCpuPerCall, 1) : '',
        config.redis ? fmt(f.redisCpuPerCall, 1) : '',
        fmt(f.totalCpuPerCall, 1),
        fmt(f.coresBusy, 2),
        pctOrBlank(f.eventLoopUtilisation),
        firstRow ? `${fmt(peakMB, 1)}${processes > 1 ? ` (${processes} procs, ${fmt(memory.totalPeakMiB * 1.048576)})` : ''}` : '',
      ]);
    }
  }
  const baselines = results.filter((r) => r.kind === 'baseline');
  console.log('\nconfigurations, medians over the rounds (ratio: to the mean of the baselines around each run; CPU per call from /proc)');
  console.log(table(rows));
  console.log(
    `ceiling (bare node:http): ${fmt(median(baselines.map((r) => r.requestsPerSecond)))} req/s (runs ${range(baselines.map((r) => r.requestsPerSecond), 0)}), ` +
      `${fmt(median(baselines.map((r) => cpuPerCall(r))), 1)} µs CPU per call; "cores busy" adds parley, PostgreSQL, Redis, the load generator and any sockets' clients and callback receiver; ` +
      `"event loop" is parley's event-loop utilisation (mean over its processes)`,
  );
  for (const { config } of configs) console.log(`  ${config.name.padEnd(14)} ${config.title}`);

  // Round by round, each configuration's ratio over its reference's, then the median of those.
  console.log('\ncomparisons, per round (ratio of the two ratios to the ceiling), median and range:');
  for (const [name, reference, what] of COMPARISONS) {
    for (const kind of ['modify', 'sendmsg']) {
      const quotients = [];
      for (const r of results.filter((x) => x.config === name && x.kind === kind)) {
        const ref = results.find((x) => x.config === reference && x.kind === kind && x.round === r.round);
        if (ref !== undefined) quotients.push(r.requestsPerSecond / r.ceiling / (ref.requestsPerSecond / ref.ceiling));
      }
      if (quotients.length === 0) continue;
      const figures = { median: median(quotients), min: Math.min(...quotients), max: Math.max(...quotients), rounds: quotients };
      summary.comparisons[`${name}/${reference} ${kind}`] = figures;
      console.log(`  ${`${name} / ${reference}`.padEnd(30)} ${kind.padEnd(8)} ${fmt(figures.median, 2)} (${range(quotients)})  ${what}`);
    }
  }

  console.log('');
  const pgModify = summary.configs['postgres']?.phases['modify'];
  if (pgModify === undefined) console.log(`target: modify_c2c_msg on PostgreSQL >= ${POSTGRES_MODIFY_TARGET} of the ceiling ... not measured`);
  else {
    summary.targets.postgresModify = pgModify.ratio >= POSTGRES_MODIFY_TARGET;
    console.log(
      `target: modify_c2c_msg on PostgreSQL >= ${POSTGRES_MODIFY_TARGET} of the ceiling ........ ${summary.targets.postgresModify ? 'met' : 'MISSED'} (${fmt(pgModify.ratio, 2)}; ` +
        `parley ${fmt(pgModify.parleyCpuPerCall, 1)} + PostgreSQL ${fmt(pgModify.postgresCpuPerCall, 1)} + Redis ${fmt(pgModify.redisCpuPerCall, 1)} µs CPU per call)`,
    );
  }
  const limiter = summary.comparisons['sqlite-redis/sqlite-limit modify'];
  if (limiter === undefined) console.log(`target: SQLite node with Redis (limiter and bus) >= ${REDIS_LIMITER_TARGET} of it with the in-process limiter ... not measured`);
  else {
    summary.targets.redisLimiter = limiter.median >= REDIS_LIMITER_TARGET;
    console.log(`target: SQLite node with Redis (limiter and bus) >= ${REDIS_LIMITER_TARGET} of it with the in-process limiter, modify ... ${summary.targets.redisLimiter ? 'met' : 'MISSED'} (${fmt(limiter.median, 2)})`);
  }
  const events = summary.comparisons['sqlite-events/sqlite modify'];
  if (events !== undefined) {
    summary.targets.events = events.median >= EVENTS_TARGET;
    const cpu = (name) => summary.configs[name]?.phases['modify']?.parleyCpuPerCall;
    const fleet = summary.configs['sqlite-events']?.phases['modify']?.fleetCpuPerCall;
    console.log(
      `target: modify_c2c_msg with event-stream sockets and callbacks on >= ${EVENTS_TARGET} of it with neither ... ${summary.targets.events ? 'met' : 'MISSED'} (${fmt(events.median, 2)}; ` +
        `parley ${fmt(cpu('sqlite-events'), 1)} vs ${fmt(cpu('sqlite'), 1)} µs CPU per call; the sockets' clients and the receiver, on the same two cores, ${fmt(fleet ?? 0, 1)} µs per call)`,
    );
  }
  const foreign = results.filter((r) => r.otherBackends > 0);
  if (foreign.length > 0) {
    console.log(`note: in ${foreign.length} of ${results.length} runs PostgreSQL also served other clients (up to ${Math.max(...foreign.map((r) => r.otherBackends))} backends); their live backends' CPU is left out, their ended connections' is not`);
  }
  const byName = new Map(configs.map(({ config }) => [config.name, config]));
  const idleServiceBusy = results.filter((r) => {
    const config = byName.get(r.config);
    return (config?.store !== 'postgres' && r.cpu.postgres > 0.05) || (config?.redis !== true && r.cpu.redis > 0.05);
  });
  if (idleServiceBusy.length > 0) console.log(`note: in ${idleServiceBusy.length} runs PostgreSQL or Redis used over 5% of a core without serving the phase: other users of this machine`);
  return summary;
}
