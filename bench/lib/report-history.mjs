// sqlite-history (--history N) against sqlite-users: does modify_c2c_msg slow down as the store
// grows from 10,000 messages to N? Throughput round by round, p99, CPU and event loop per call, and
// the bytes each stored message takes on disk.
import { fmt, pctOrBlank } from './report.mjs';

/** modify_c2c_msg over the long history must keep this share of its throughput over the short one. */
export const HISTORY_MODIFY_TARGET = 0.9;
/** ...with its p99 latency at most this many milliseconds. */
export const HISTORY_P99_TARGET_MS = 15;

/**
 * Prints the comparison from reportScale's summary (`scale`) and the facts each store held after
 * the run (`stored`, with databaseBytes); returns its figures, or undefined when sqlite-history did not run.
 */
export function reportHistory({ scale, stored }) {
  const long = scale.configs['sqlite-history']?.phases['modify'];
  const short = scale.configs['sqlite-users']?.phases['modify'];
  const ratio = scale.comparisons['sqlite-history/sqlite-users modify'];
  if (long === undefined || short === undefined || ratio === undefined) return undefined;
  const bytesPerMessage = (name) => stored[name].databaseBytes / stored[name].stored;
  const [n, k] = ['sqlite-history', 'sqlite-users'].map((name) => fmt(stored[name].preloaded));
  const figures = {
    throughputRatio: ratio,
    p99: { history: long.p99, users: short.p99 },
    cpuPerCall: { history: long.parleyCpuPerCall, users: short.parleyCpuPerCall },
    eventLoopUtilisation: { history: long.eventLoopUtilisation, users: short.eventLoopUtilisation },
    bytesPerMessage: { history: bytesPerMessage('sqlite-history'), users: bytesPerMessage('sqlite-users') },
  };
  console.log(`\nmodify_c2c_msg over ${n} messages (sqlite-history) vs over ${k} (sqlite-users), medians over the rounds:`);
  const row = (what, a, b) => console.log(`  ${what.padEnd(32)} ${a.padStart(9)}  ${b.padStart(9)}`);
  row('', `at ${n}`, `at ${k}`);
  row('req/s', fmt(long.requestsPerSecond), fmt(short.requestsPerSecond));
  row('p99 ms', fmt(long.p99), fmt(short.p99));
  row('parley µs CPU per call', fmt(long.parleyCpuPerCall, 1), fmt(short.parleyCpuPerCall, 1));
  row('event loop', pctOrBlank(long.eventLoopUtilisation), pctOrBlank(short.eventLoopUtilisation));
  row('database bytes per message', fmt(figures.bytesPerMessage.history), fmt(figures.bytesPerMessage.users));
  console.log(`  throughput at ${n} / at ${k}, per round: ${fmt(ratio.median, 2)} (${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)})`);
  figures.targets = { throughput: ratio.median >= HISTORY_MODIFY_TARGET, p99: long.p99 <= HISTORY_P99_TARGET_MS };
  console.log(`target: modify at ${n} / at ${k} >= ${HISTORY_MODIFY_TARGET} ... ${figures.targets.throughput ? 'met' : 'MISSED'} (${fmt(ratio.median, 2)})`);
  console.log(`target: p99 at ${n} <= ${HISTORY_P99_TARGET_MS} ms ... ${figures.targets.p99 ? 'met' : 'MISSED'} (${fmt(long.p99)} ms)`);
  return figures;
}
