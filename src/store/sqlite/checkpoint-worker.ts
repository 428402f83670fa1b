// The checkpointer's thread (checkpointer.ts): folds the WAL into the database file on a connection
// of its own, so the writes' commits on the event loop never carry a checkpoint.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './connection.js';
import { type CheckpointerSettings, type WorkerEvent, PAUSED, SCRUB_WANTED } from './checkpoint-protocol.js';

const settings = workerData as CheckpointerSettings;
const flags = new Int32Array(settings.flags);
const db = new Database(settings.file, { fileMustExist: true });
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
// A checkpoint copies pages from the WAL to the database file; it needs no cache of its own.
db.pragma('cache_size = 16');
db.pragma('secure_delete = ON');

/** When the first scrub request since the last scrub was seen; undefined while none waits. */
let scrubWantedSince: number | undefined;
let stopping = false;

const send = (event: WorkerEvent) => parentPort?.postMessage(event);

function checkpoint(mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE'): { busy: number; log: number; checkpointed: number } {
  const [result] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
  return result ?? { busy: 1, log: 0, checkpointed: 0 };
}

/**
 * Restarts the WAL (and with TRUNCATE empties the file): this needs a moment with no write, so the
 * writer is asked to hold its commits (PAUSED) and told when it may go on. The passive checkpoints
 * before it have copied nearly everything, so the pause is short.
 */
function restart(mode: 'RESTART' | 'TRUNCATE'): boolean {
  Atomics.store(flags, PAUSED, 1);
  try {
    return checkpoint(mode).busy === 0;
  } finally {
    Atomics.store(flags, PAUSED, 0);
    send({ type: 'resumed' });
  }
}

function tick(): void {
  if (stopping) return;
  let next = settings.idleTickMs;
  // An error ends the thread; the writer then checkpoints for itself again (checkpointer.ts).
  {
    const passive = checkpoint('PASSIVE');
    if (passive.log > 0) next = settings.tickMs;
    const now = Date.now();
    if (scrubWantedSince === undefined && Atomics.load(flags, SCRUB_WANTED) === 1) scrubWantedSince = now;
    if (scrubWantedSince !== undefined && now - scrubWantedSince >= settings.scrubDelayMs) {
      // Taken before the scrub: a write that asks again after this point is in the next one.
      Atomics.store(flags, SCRUB_WANTED, 0);
      if (restart('TRUNCATE')) {
        scrubWantedSince = undefined;
      } else {
        // Another process kept the WAL in use: ask again, keeping the first request's time.
        Atomics.store(flags, SCRUB_WANTED, 1);
        next = settings.tickMs;
      }
    } else if (passive.log >= settings.restartFrames) {
      restart('RESTART');
    }
  }
  setTimeout(tick, next);
}

parentPort?.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  stopping = true;
  db.close();
  parentPort?.close();
});

send({ type: 'ready' });
setTimeout(tick, settings.tickMs);
