import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import type { Redis } from 'ioredis';
import { openRedis, redisReady } from '../src/redis.js';
import { freePort } from './services.js';

/** The Redis the optional suites run against (the runner turns them on when it is set). */
export function testRedisUrl(): string {
  const url = process.env['PARLEY_TEST_REDIS_URL'];
  if (url === undefined || url === '') throw new Error('PARLEY_TEST_REDIS_URL is not set; the Redis suites need a Redis to run against');
  return url;
}

/** A key prefix no other test run shares; `cleanRedis` removes what was written under it. */
export function uniquePrefix(): string {
  return `parley-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** A connection as parley opens it, whose errors the test collects. */
export function connect(url: string, errors: unknown[] = []): Redis {
  return openRedis(url, { name: 'parley-test', onError: (error) => errors.push(error), maxReconnectDelayMs: 200 });
}

/** Deletes every key under `prefix`. */
export async function cleanRedis(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Resolves once `check` holds, polling; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once every connection is ready. */
export function ready(...connections: Redis[]): Promise<void> {
  return until(() => connections.every(redisReady), 5000, 'Redis connections');
}

/** A redis-server of the test's own, on a free loopback port, that the test may stop and start again. */
export interface PrivateRedis {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  resume(): void;
}

/** Starts a private redis-server (never the shared one: stopping it must not disturb other suites). */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  process.on('exit', () => child?.kill('SIGKILL'));
  const answers = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const handle: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await until(answers, 5000, `redis-server on port ${port}`);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async stop() {
      const stopping = child;
      if (stopping === undefined || stopping.exitCode !== null) return;
      child = undefined;
      await new Promise<void>((resolve) => {
        stopping.once('exit', () => resolve());
        stopping.kill('SIGKILL');
      });
    },
  };
  await handle.start();
  return handle;
}
