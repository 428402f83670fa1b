import { loadConfig } from '../src/config.js';
import { closeRealtime, openMemoryRealtime } from '../src/realtime/open.js';
import { testClock } from './helpers.js';
import { realtimeContract } from './realtime-contract.js';

// The event stream's streams and presence in one process: one node, seen as both nodes of the contract.

realtimeContract(async () => {
  const clock = testClock();
  const realtime = openMemoryRealtime(clock, loadConfig({ PARLEY_EVENTS_RETAIN_COUNT: '3', PARLEY_EVENTS_RETAIN_SECONDS: '60' }).events);
  return { a: realtime, b: realtime, clock, close: () => closeRealtime(realtime) };
});
