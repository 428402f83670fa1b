// Turns the phases of a run into the printed tables and the verdict on the targets.

/** modify_c2c_msg and modify_group_msg must reach this share of the bare node:http ceiling. */
export const MODIFY_TARGET = 0.5;
/** parley's peak resident memory must stay under this many MB (10^6 bytes). */
export const RSS_TARGET_MB = 200;

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (share) => `${fmt(share * 100)}%`;
/** A share as a percentage, or blank when it was not measured. */
export const pctOrBlank = (share) => (share === undefined ? '' : pct(share));
/** A process using at least this share of one CPU is taken to be the bottleneck. */
const BUSY = 0.85;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}

/** Server CPU per call in µs: CPU seconds per wall second over calls per second. */
export const cpuPerCall = (r, seconds = r.cpu.server) => (seconds * 1e6) / r.requestsPerSecond;

/** Median over runs of parley's event-loop utilisation (mean over its processes); undefined if never read. */
export function eventLoopMedian(runs) {
  const shares = runs.map((r) => r.eventLoop?.utilisation).filter((u) => u !== undefined);
  return shares.length === 0 ? undefined : median(shares);
}

/** Every run of every configuration, in the order they ran, with its ratio to the ceiling around it. */
export function printRuns(results) {
  const services = results.some((r) => r.cpu.postgres > 0.05 || r.cpu.redis > 0.05);
  console.log('');
  console.log(
    table([
      ['round', 'phase', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'requests', 'failed', 'server CPU', 'µs/call', 'event loop', 'generator CPU', ...(services ? ['PostgreSQL CPU', 'Redis CPU'] : [])],
      ...results.map((r) => [
        String(r.round),
        r.config === 'baseline' ? 'baseline' : `${r.config} ${r.kind}`,
        fmt(r.requestsPerSecond),
        r.ceiling === undefined ? '' : fmt(r.requestsPerSecond / r.ceiling, 2),
        fmt(r.latency.p50),
        fmt(r.latency.p99),
        fmt(r.total),
        fmt(r.failed + r.warmup.failed),
        pct(r.cpu.server),
        fmt(cpuPerCall(r), 1),
        pctOrBlank(r.eventLoop?.utilisation),
        pct(r.cpu.generator),
        ...(services ? [pct(r.cpu.postgres), pct(r.cpu.redis)] : []),
      ]),
    ]),
  );
}

/**
 * Prints the medians over rounds of the embedded store's phases (the `sqlite` configuration) and
 * its targets. Each phase is compared with the mean of the baselines just before and after its
 * block (`r.ceiling`, set when it ran).
 */
export function report({ results, memory, phases }) {
  const baselineRuns = results.filter((r) => r.kind === 'baseline');
  const ratioOf = (r) => r.requestsPerSecond / r.ceiling;

  const baselines = baselineRuns.map((r) => r.requestsPerSecond);
  const ceiling = median(baselines);
  const ceilingCpu = median(baselineRuns.map((r) => cpuPerCall(r)));
  const summary = { ceiling, ceilingCpuPerCall: ceilingCpu, baselineMin: Math.min(...baselines), baselineMax: Math.max(...baselines), phases: {} };
  const rows = [['', 'phase', 'req/s', 'ratio', 'ratio range', 'p99 ms', 'µs/call', '× ceiling', 'event loop']];
  rows.push(['', 'baseline', fmt(ceiling), '1.00', '', fmt(median(baselineRuns.map((r) => r.latency.p99))), fmt(ceilingCpu, 1), '1.00', '']);
  for (const kind of phases) {
    const runs = results.filter((r) => r.kind === kind);
    const ratios = runs.map(ratioOf);
    const figures = {
      requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      p99: median(runs.map((r) => r.latency.p99)),
      cpuPerCall: median(runs.map((r) => cpuPerCall(r))),
      cpuTimesCeiling: median(runs.map((r) => cpuPerCall(r) / r.ceilingCpuPerCall)),
      eventLoopUtilisation: eventLoopMedian(runs),
    };
    summary.phases[kind] = figures;
    rows.push(['', kind, fmt(figures.requestsPerSecond), fmt(figures.ratio, 2), `${fmt(figures.ratioMin, 2)}–${fmt(figures.ratioMax, 2)}`, fmt(figures.p99), fmt(figures.cpuPerCall, 1), fmt(figures.cpuTimesCeiling, 2), pctOrBlank(figures.eventLoopUtilisation)]);
  }
  console.log('\nSQLite (rate limit off), medians over the rounds (ratio: to the mean of the baselines around each run; µs/call: parley\'s CPU per call; event loop: its utilisation)');
  console.log(table(rows));
  console.log(`baseline runs ranged ${fmt(summary.baselineMin)}–${fmt(summary.baselineMax)} req/s`);

  // Which process limited each phase: the figures mean different things when the load generator,
  // rather than the server, ran out of CPU, or when neither did (other load on a shared machine).
  const generatorBound = baselineRuns.filter((r) => r.cpu.generator >= BUSY);
  if (generatorBound.length > 0) {
    console.log(`note: in ${generatorBound.length} of ${baselines.length} baseline runs the load generator, not node:http, was the limit (generator CPU >= ${pct(BUSY)}); the ceiling is the generator's`);
  }
  const starved = results.filter((r) => r.cpu.server < BUSY && r.cpu.generator < BUSY);
  if (starved.length > 0) {
    console.log(`note: in ${starved.length} of ${results.length} runs neither the server nor the generator was CPU-bound: other load on the machine squeezed both, which pulls ratios towards 1; rerun when it is quieter`);
  }

  const peakMB = memory.parley.peakMiB * 1.048576;
  console.log(`peak RSS (VmHWM): parley ${fmt(peakMB, 1)} MB, baseline ${fmt(memory.baseline.peakMiB * 1.048576, 1)} MB`);
  console.log('');
  summary.targets = { rss: peakMB < RSS_TARGET_MB, peakMB };
  for (const [phase, api] of [['modify', 'modify_c2c_msg'], ['modify_group_msg', 'modify_group_msg']]) {
    const figures = summary.phases[phase];
    if (figures === undefined) continue;
    summary.targets[phase] = figures.ratio >= MODIFY_TARGET;
    console.log(`target: ${api.padEnd(16)} >= ${MODIFY_TARGET} of the ceiling ... ${summary.targets[phase] ? 'met' : 'MISSED'} (${fmt(figures.ratio, 2)})`);
  }
  console.log(`target: parley peak RSS < ${RSS_TARGET_MB} MB ................. ${summary.targets.rss ? 'met' : 'MISSED'} (${fmt(peakMB, 1)} MB)`);
  for (const phase of ['sendmsg', 'send_group_msg']) {
    if (summary.phases[phase] !== undefined) console.log(`${phase} (no target): ${fmt(summary.phases[phase].ratio, 2)} of the ceiling`);
  }
  return summary;
}
