import { randomBytes } from 'node:crypto';
import type { Clock } from '../deps.js';
import type { Appended, Position, Replay, UserStreams } from './types.js';

interface Entry {
  readonly offset: number;
  /** Milliseconds. */
  readonly at: number;
  readonly body: string;
}

interface Stream {
  readonly epoch: string;
  top: number;
  /** Oldest first; offsets top - length + 1 … top. */
  entries: Entry[];
  /** Last append or connection (milliseconds). */
  touched: number;
}

/** Where the stream store's retention comes from (config.events). */
export interface StreamRetention {
  readonly retainCount: number;
  readonly retainMs: number;
}

/** A new epoch: random, so that a restarted process never reuses one. */
export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * The streams of one process, in memory: lost when it stops (clients then see a new epoch and
 * resync). A stream is dropped once it was untouched for the retention time and `wanted` says
 * nobody will resume it.
 */
export function createMemoryStreams(clock: Clock, retention: StreamRetention, wanted: (key: string) => boolean): UserStreams {
  const streams = new Map<string, Stream>();
  const listeners = new Set<(event: Appended) => void>();

  const trim = (stream: Stream, now: number): void => {
    const minAt = now - retention.retainMs;
    let drop = Math.max(0, stream.entries.length - retention.retainCount);
    while (drop < stream.entries.length && (stream.entries[drop]?.at ?? now) < minAt) drop++;
    if (drop > 0) stream.entries = stream.entries.slice(drop);
  };
  const open = (key: string, now: number): Stream => {
    let stream = streams.get(key);
    if (stream === undefined) {
      stream = { epoch: newEpoch(), top: 0, entries: [], touched: now };
      streams.set(key, stream);
    }
    stream.touched = now;
    return stream;
  };
  const positionOf = (stream: Stream): Position => ({ epoch: stream.epoch, offset: stream.top });

  const sweep = setInterval(() => {
    const now = clock.nowMs();
    for (const [key, stream] of streams) {
      if (stream.touched + retention.retainMs <= now && !wanted(key)) streams.delete(key);
      else trim(stream, now);
    }
  }, Math.min(retention.retainMs, 60_000));
  sweep.unref();

  return {
    append(key, body) {
      const now = clock.nowMs();
      const stream = open(key, now);
      const offset = ++stream.top;
      stream.entries.push({ offset, at: now, body });
      // Trimmed once half a retention's worth more has gathered, not at every append (a copy of the
      // whole array each time); a replay trims to the exact retention first.
      if (stream.entries.length > retention.retainCount + Math.max(1, retention.retainCount >> 1)) trim(stream, now);
      const event: Appended = { key, offset, epoch: stream.epoch, body };
      for (const listener of listeners) listener(event);
    },
    position: (key) => Promise.resolve(positionOf(open(key, clock.nowMs()))),
    since(key, epoch, offset): Promise<Replay> {
      const now = clock.nowMs();
      const stream = open(key, now);
      const position = positionOf(stream);
      if (stream.epoch !== epoch || offset > stream.top || offset < 0) return Promise.resolve({ kind: 'resync', position });
      trim(stream, now);
      if (offset === stream.top) return Promise.resolve({ kind: 'ok', position, bodies: [] });
      const first = stream.entries[0];
      if (first === undefined || first.offset > offset + 1) return Promise.resolve({ kind: 'resync', position });
      return Promise.resolve({ kind: 'ok', position, bodies: stream.entries.slice(offset + 1 - first.offset).map((e) => e.body) });
    },
    // One process hears its own appends at once and in order: nothing can be missed.
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(sweep);
      listeners.clear();
      return Promise.resolve();
    },
  };
}
