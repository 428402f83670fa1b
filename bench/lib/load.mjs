// One load phase: autocannon, used as a library, with the same settings for every server, and a
// check of every answer (a benchmark that counts failures as throughput measures nothing).
import autocannon from 'autocannon';

/** Connections for every phase (the figure). */
export const CONNECTIONS = 50;

/**
 * Runs `seconds` of load against `baseUrl`, or against every URL of `baseUrls` (several nodes):
 * connection i goes to URL i mod n, so the load is split evenly. `nextRequest()` gives each
 * request's path and body (called once per request, so bodies can differ); every answer must be
 * HTTP 200 with ErrorCode 0.
 */
export async function runLoad({ baseUrl, baseUrls = [baseUrl], seconds, nextRequest }) {
  const failures = new Map(); // "HTTP 500" or "ErrorCode 90001" -> { count, sample }
  let checked = 0;
  const note = (what, sample) => {
    const entry = failures.get(what) ?? { count: 0, sample };
    entry.count += 1;
    failures.set(what, entry);
  };
  const result = await autocannon({
    url: baseUrls.length === 1 ? baseUrls[0] : baseUrls,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest(request) {
          const { path, body } = nextRequest();
          return { ...request, method: 'POST', path, body };
        },
        onResponse(status, text) {
          checked += 1;
          if (status !== 200) return note(`HTTP ${status}`, text.slice(0, 200));
          let reply;
          try {
            reply = JSON.parse(text);
          } catch {
            return note('unparsable answer', text.slice(0, 200));
          }
          if (reply.ErrorCode !== 0) note(`ErrorCode ${reply.ErrorCode}`, reply.ErrorInfo);
        },
      },
    ],
  });
  const failed = [...failures.values()].reduce((n, f) => n + f.count, 0) + result.errors + result.timeouts;
  return {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    checked,
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    failures: Object.fromEntries(failures),
    failed,
  };
}
