import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { type CheckpointerSettings, FLAG_COUNT, PAUSED, SCRUB_WANTED, type WorkerEvent } from './checkpoint-protocol.js';

/** SQLite's own automatic checkpoint, which the writer goes back to if the checkpointer stops. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A commit waits at most this long for a restart of the WAL before it goes ahead anyway. */
const LONGEST_PAUSE_MS = 1000;
/** How long a clean stop waits for the thread to close its connection. */
const STOP_WAIT_MS = 2000;

/** How often and when the thread checkpoints; tests shorten these. */
export type CheckpointTiming = Pick<CheckpointerSettings, 'tickMs' | 'idleTickMs' | 'restartFrames' | 'scrubDelayMs'>;

const TIMING: CheckpointTiming = {
  tickMs: 100,
  idleTickMs: 250,
  // 8,000 frames of 4 KiB: the WAL file stays under about 32 MiB.
  restartFrames: 8000,
  // With the idle tick, a scrub runs 4 to 4.25 s after the first request: within the 5 s promised.
  scrubDelayMs: 4000,
};

/**
 * Checkpoints the WAL on a thread of its own (checkpoint-worker.ts), with a connection of its own,
 * so that no commit on the event loop carries a checkpoint: SQLite's automatic checkpoint (inside
 * the COMMIT that crosses 1,000 pages) is turned off on the writer's connection.
 *
 * The thread copies frames into the database file with passive checkpoints, which never stop the
 * writer. Restarting the WAL from its first frame needs a moment with no write, which a steady
 * writer never leaves; so when the WAL has grown long, or content was destroyed and must leave the
 * files (scrub.ts), the thread raises PAUSED, the write queue holds its next commit (the event loop
 * goes on reading requests), and the thread restarts or truncates the WAL and tells the queue to go
 * on. If the thread stops for any reason, the writer checkpoints for itself again as before.
 */
export class Checkpointer {
  readonly #flags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT));
  readonly #worker: Worker;
  readonly #resumed: (() => void)[] = [];
  #running = true;
  #stopping = false;

  /** `lost` is called if the thread stops by itself (an error): the caller then scrubs for itself. */
  constructor(
    private readonly db: Database,
    private readonly lost: (scrubWanted: boolean) => void,
    timing: Partial<CheckpointTiming> = {},
  ) {
    const settings: CheckpointerSettings = { file: db.name, flags: this.#flags.buffer as SharedArrayBuffer, ...TIMING, ...timing };
    db.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: settings });
    this.#worker.unref();
    this.#worker.on('message', (event: WorkerEvent) => {
      if (event.type === 'resumed') this.#resume();
    });
    this.#worker.on('error', (error) => this.#fallBack(error.message));
    this.#worker.on('exit', (code) => this.#fallBack(`exit code ${code}`));
  }

  /** True while the thread runs. */
  get running(): boolean {
    return this.#running;
  }

  /** True while the thread restarts the WAL: a commit now would only wait for the lock. */
  paused(): boolean {
    return this.#running && Atomics.load(this.#flags, PAUSED) === 1;
  }

  /** Calls `resume` once the WAL restart is over (or after LONGEST_PAUSE_MS, whichever is first). */
  whenResumed(resume: () => void): void {
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      resume();
    };
    const timer = setTimeout(once, LONGEST_PAUSE_MS);
    this.#resumed.push(once);
  }

  /** Content was destroyed: the WAL is checkpointed and emptied within five seconds. */
  requestScrub(): void {
    Atomics.store(this.#flags, SCRUB_WANTED, 1);
  }

  /** Stops the thread; its connection is closed when this resolves. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void this.#worker.terminate(), STOP_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }

  #resume(): void {
    for (const resume of this.#resumed.splice(0)) resume();
  }

  #fallBack(reason: string): void {
    if (!this.#running) return;
    this.#running = false;
    Atomics.store(this.#flags, PAUSED, 0);
    this.#resume();
    if (this.#stopping) return;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    process.emitWarning(`parley's checkpointer thread stopped (${reason}); the writer checkpoints the WAL itself from now on`);
    this.lost(Atomics.load(this.#flags, SCRUB_WANTED) === 1);
  }
}
