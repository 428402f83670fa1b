import type { EventBus, ParleyEvent } from './types.js';

/** The in-process bus: subscribers are called after the current call stack, in order. */
export function createMemoryBus(onError: (error: unknown) => void): EventBus {
  const listeners = new Set<(event: ParleyEvent) => void>();
  return {
    publish(event) {
      if (listeners.size === 0) return;
      queueMicrotask(() => {
        for (const listener of listeners) {
          try {
            listener(event);
          } catch (error) {
            // A failing subscriber must not take the publisher (a REST call) down with it.
            onError(error);
          }
        }
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // In one process every event is this process's own.
    subscribeLocal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
