import type { Clock } from '../deps.js';
import { type Device, type Presence, splitKey } from './types.js';

/** Whose streams are kept in one process: connected users, and for `retainMs` after they leave. */
interface Interest {
  readonly devices: Map<string, Device>;
  /** While no device is connected: until when the stream is kept (milliseconds). */
  until: number;
}

/** How many users a kick is remembered for; the oldest is forgotten first. */
const MAX_KICKS = 100_000;

/**
 * Presence in one process. Nothing is shared, so a kick lasts until the process stops (docs/events.md).
 * `retainMs` is how long a user's stream is kept after its last device left.
 */
export function createMemoryPresence(clock: Clock, retainMs: number): Presence {
  const interest = new Map<string, Interest>();
  const perApp = new Map<number, number>();
  const kicks = new Map<string, number>();
  const kickListeners = new Set<(key: string) => void>();

  const forget = (key: string): void => {
    if (!interest.delete(key)) return;
    const app = splitKey(key).app;
    const left = (perApp.get(app) ?? 1) - 1;
    if (left === 0) perApp.delete(app);
    else perApp.set(app, left);
  };
  // Streams of users long gone are dropped, so the cheap checks stay cheap and memory bounded.
  const sweep = setInterval(() => {
    const now = clock.nowMs();
    for (const [key, entry] of interest) if (entry.devices.size === 0 && entry.until <= now) forget(key);
  }, Math.min(retainMs, 60_000));
  sweep.unref();

  return {
    wants(key) {
      const entry = interest.get(key);
      return entry !== undefined && (entry.devices.size > 0 || entry.until > clock.nowMs());
    },
    wantsApp: (app) => perApp.has(app),
    join(key, connection, device) {
      let entry = interest.get(key);
      if (entry === undefined) {
        entry = { devices: new Map(), until: 0 };
        interest.set(key, entry);
        const app = splitKey(key).app;
        perApp.set(app, (perApp.get(app) ?? 0) + 1);
      }
      entry.devices.set(connection, device);
      return Promise.resolve();
    },
    leave(key, connection) {
      const entry = interest.get(key);
      if (entry === undefined || !entry.devices.delete(connection)) return;
      if (entry.devices.size === 0) entry.until = clock.nowMs() + retainMs;
    },
    devices(app, users) {
      const found = new Map<string, readonly Device[]>();
      for (const user of users) {
        const entry = interest.get(`${app}:${user}`);
        if (entry !== undefined && entry.devices.size > 0) found.set(user, [...entry.devices.values()]);
      }
      return Promise.resolve(found);
    },
    kick(key, atSeconds) {
      const earlier = kicks.get(key) ?? 0;
      kicks.delete(key);
      if (kicks.size >= MAX_KICKS) {
        const oldest = kicks.keys().next();
        if (oldest.done !== true) kicks.delete(oldest.value);
      }
      kicks.set(key, Math.max(earlier, atSeconds));
      for (const listener of kickListeners) listener(key);
      return Promise.resolve();
    },
    kickedAt: (key) => Promise.resolve(kicks.get(key)),
    onKick(listener) {
      kickListeners.add(listener);
      return () => kickListeners.delete(listener);
    },
    close() {
      clearInterval(sweep);
      kickListeners.clear();
      return Promise.resolve();
    },
  };
}
