// Servers under test run in their own processes, so the load generator never shares their CPU
// time and each one's memory can be read from /proc.
import { spawn } from 'node:child_process';
import { familyCpuSeconds, familyOf, memoryOf } from './proc.mjs';

/** How long a server may take to print its listening line. */
const START_TIMEOUT_MS = 30_000;
/** How long a server may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts `node ...args` and resolves once its first stdout line names the URL it listens on.
 * Rejects (with its stderr) if it exits or stays silent first.
 */
export function startServer(name, args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    // Warnings during the run (the log level is warn) are worth seeing, not worth stopping for.
    process.stderr.write(chunk.split('\n').filter(Boolean).map((l) => `[${name}] ${l}\n`).join(''));
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} printed no listening line within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout.split('\n')[0] ?? '');
      if (match !== null && stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${stderr}`));
    });
  });
  return url.then((baseUrl) => ({
    name,
    pid: child.pid,
    url: baseUrl,
    /**
     * Peak and current resident memory in MiB, from /proc/<pid>/status: of the process, or with
     * cluster workers, of the largest process (peakMiB) and of them all (totalPeakMiB).
     */
    memory() {
      const processes = familyOf(child.pid).map(memoryOf);
      const largest = processes.reduce((a, b) => (b.peakMiB > a.peakMiB ? b : a));
      return { ...largest, totalPeakMiB: processes.reduce((n, p) => n + p.peakMiB, 0), processes };
    },
    /** CPU seconds (user + system) the process and its cluster workers have used so far. */
    cpuSeconds() {
      return familyCpuSeconds(child.pid);
    },
    /** SIGTERM, then wait for a clean exit; resolves with the exit code (or kills it after a while). */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  }));
}
