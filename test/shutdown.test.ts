import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { tempDir } from './helpers.js';
import { serverEnv } from './process.js';

const SERVER = fileURLToPath(new URL('../src/server.js', import.meta.url));

test('SIGTERM still stops parley (exit 0) after the reader of its stdout has gone away', async () => {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, ...serverEnv(tempDir()), PARLEY_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const stdout = child.stdout;
    assert.ok(stdout);
    let seen = '';
    for await (const chunk of stdout) {
      seen += String(chunk);
      if (seen.includes('parley listening on')) break;
    }
    stdout.destroy(); // the pipe's reader is gone; every later write fails with EPIPE
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
  } finally {
    child.kill('SIGKILL');
  }
});
