import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { TEST_APP } from './helpers.js';

/** The compiled server entry point, as `npm start` runs it. */
const SERVER = fileURLToPath(new URL('../src/server.js', import.meta.url));

/** How long a start may take before the test gives up on it. */
const START_TIMEOUT_MS = 15_000;

/** A parley server running as a child process, the way an operator runs it. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything it printed on stdout and stderr so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code (null when a signal ended it) and that signal. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child still running; killed when the test process ends, however it ends. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The processes `pid` started that still run (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The environment of decisions.md §1 for the test app, on `dataDir` and an ephemeral loopback port. */
export function serverEnv(dataDir: string): Record<string, string> {
  return {
    PARLEY_PORT: '0',
    PARLEY_HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_SDKAPPID: String(TEST_APP.sdkappid),
    PARLEY_SECRET_KEY: TEST_APP.secretKey,
    PARLEY_RATE_LIMIT: '0',
    PARLEY_LOG_LEVEL: 'warn',
  };
}

/** An HTTPS call that trusts `ca`: Node's fetch cannot be given a certificate authority per call. */
export function httpsCall(url: string, ca: Buffer, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface ProcessOptions {
  /** More environment variables (PARLEY_TLS_CERT, ...). */
  readonly env?: Record<string, string>;
  /** The server speaks HTTPS with a certificate this authority signed. */
  readonly ca?: Buffer;
  /** Command-line arguments after server.js (`--workers 2`). */
  readonly args?: readonly string[];
  /** Log lines (a PARLEY_LOG_LEVEL below warn) may come before the banner. */
  readonly logsBeforeBanner?: boolean;
  /**
   * A command that runs node in its turn (`strace -o trace.txt`): the child is then that command,
   * and stop() signals node, its own child (strace would detach and leave node running), then
   * waits for the command to exit.
   */
  readonly wrapper?: readonly string[];
}

/**
 * Starts `node dist/src/server.js` on `dataDir` and resolves once its banner names the address and
 * GET /healthz answers 200. Rejects (after killing the child) if it exits or stalls first.
 */
export async function startProcess(dataDir: string, options: ProcessOptions = {}): Promise<ServerProcess> {
  const { PATH, HOME, SYSTEMROOT, TMPDIR } = process.env;
  const inherited = Object.fromEntries(Object.entries({ PATH, HOME, SYSTEMROOT, TMPDIR }).filter((e): e is [string, string] => e[1] !== undefined));
  const [command, ...args] = [...(options.wrapper ?? []), process.execPath, SERVER, ...(options.args ?? [])];
  const child = spawn(command ?? process.execPath, args, { env: { ...inherited, ...serverEnv(dataDir), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  // Both pipes are drained for the child's whole life, so a chatty server never blocks on a full pipe.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('parley could not be spawned');

  const started = Date.now();
  let url: string | undefined;
  let exitedEarly: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exitedEarly = e));
  try {
    while (url === undefined) {
      if (exitedEarly !== undefined) throw new Error(`parley exited (code ${exitedEarly.code}, signal ${exitedEarly.signal}) before listening:\n${output}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`parley printed no banner within ${START_TIMEOUT_MS} ms:\n${output}`);
      const lines = output.split('\n');
      const bannerAt = options.logsBeforeBanner === true ? lines.slice(0, -1).findIndex((l) => l.startsWith('parley listening on')) : 0;
      const first = bannerAt >= 0 ? lines.slice(bannerAt, bannerAt + 2) : [];
      if (first.length === 2) {
        const scheme = options.ca === undefined ? 'http' : 'https';
        const m = new RegExp(`^parley listening on (${scheme}://127\\.0\\.0\\.1:\\d+)$`).exec(first[0] ?? '');
        if (m === null) throw new Error(`the banner's first line is not "parley listening on ${scheme}://127.0.0.1:PORT":\n${output}`);
        url = m[1];
      } else {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const health = options.ca === undefined ? await fetch(`${url}/healthz`).then(async (r) => ({ status: r.status, body: await r.text() })) : await httpsCall(`${url}/healthz`, options.ca);
    if (health.status !== 200) throw new Error(`GET /healthz answered HTTP ${health.status} after the banner`);
    if (health.body !== '{"status":"ok"}') throw new Error(`GET /healthz answered ${health.body}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const base = url;

  return {
    url: base,
    pid,
    output: () => output,
    async stop(signal) {
      if (running.has(child)) {
        const wrapped = options.wrapper === undefined ? undefined : childrenOf(pid)[0];
        if (wrapped === undefined) child.kill(signal);
        else process.kill(wrapped, signal);
      }
      return exited;
    },
  };
}
