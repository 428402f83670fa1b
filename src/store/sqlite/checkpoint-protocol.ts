// What the writer's thread and the checkpointer's thread share (checkpointer.ts).

/** Index in the shared flags: a write destroyed content, so the WAL must be emptied soon. */
export const SCRUB_WANTED = 0;
/** Index in the shared flags: the checkpointer is restarting the WAL; commits wait. */
export const PAUSED = 1;
/** How many flags there are. */
export const FLAG_COUNT = 2;

export interface CheckpointerSettings {
  /** The database file. */
  readonly file: string;
  /** Int32 flags, indexed by SCRUB_WANTED and PAUSED. */
  readonly flags: SharedArrayBuffer;
  /** Between passive checkpoints while the WAL has frames, and while it has none. */
  readonly tickMs: number;
  readonly idleTickMs: number;
  /** The WAL restarts (from its first frame) once it holds this many frames. */
  readonly restartFrames: number;
  /** How long after the first request a scrub (checkpoint and truncation) runs. */
  readonly scrubDelayMs: number;
}

/** What the checkpointer tells the writer. */
export type WorkerEvent = { readonly type: 'ready' } | { readonly type: 'resumed' };
