// How busy parley's event loops were during a phase: GET /parley/v1/stats of every process before
// and after it, and active / (active + idle) of the time between.
import { get } from 'node:http';

/** How many readings a URL gets to reach each of its processes before the missing ones are left out. */
const TRIES_PER_PROCESS = 10;

/** One process's answer to GET /parley/v1/stats, on a connection of its own. */
function readStats(url) {
  return new Promise((resolve, reject) => {
    // A new connection each time: with cluster workers, each connection may reach another process.
    const request = get(`${url}/parley/v1/stats`, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${url}/parley/v1/stats: HTTP ${response.statusCode}`))));
    });
    request.on('error', reject);
  });
}

/**
 * The event-loop times of every process behind `urls`, by pid: `processes` behind each URL (its
 * cluster workers), read until each has answered once.
 */
export async function readEventLoops(urls, processes) {
  const readings = new Map();
  for (const url of urls) {
    const seen = new Set();
    for (let tries = 0; seen.size < processes && tries < processes * TRIES_PER_PROCESS; tries++) {
      const stats = await readStats(url);
      seen.add(stats.pid);
      readings.set(stats.pid, stats.eventLoop);
    }
  }
  return readings;
}

/**
 * Event-loop utilisation between two readings of readEventLoops: per process, and the mean over
 * the processes read both times; undefined when none was.
 */
export function eventLoopUtilisation(before, after) {
  const processes = [];
  for (const [pid, was] of before) {
    const now = after.get(pid);
    if (now === undefined) continue;
    const active = now.activeMs - was.activeMs;
    const idle = now.idleMs - was.idleMs;
    if (active + idle > 0) processes.push({ pid, utilisation: active / (active + idle) });
  }
  if (processes.length === 0) return undefined;
  return { utilisation: processes.reduce((sum, p) => sum + p.utilisation, 0) / processes.length, processes };
}
