import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisReady } from '../redis.js';
import { createMemoryBus } from './memory.js';
import type { EventBus, ParleyEvent } from './types.js';

/**
 * What travels on the channel: one message per publishing node per event-loop turn, the node's id
 * on the first line and the turn's events as a JSON array after it. A node recognises its own
 * echoes by the first line alone, without parsing them.
 */
function encode(node: string, events: readonly ParleyEvent[]): string {
  return `${node}\n${JSON.stringify(events)}`;
}

/** How often a node asks whether any other node listens on the channel. */
const LISTENERS_CHECK_MS = 1000;

function isEvent(value: unknown): value is ParleyEvent {
  const v = value as { type?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string';
}

/** The Redis bus, and whether both of its connections are up. */
export interface RedisBus extends EventBus {
  healthy(): boolean;
}

/**
 * The bus between nodes: every local subscriber gets every event, its own node's at once (through
 * the in-process bus) and other nodes' through Redis pub/sub on one channel, `<prefix>events`.
 * Each node tags what it publishes with a random id and skips its own echoes, so a subscriber sees
 * each event once, and one publisher's events in the order it published them (one connection, one
 * channel, one message per event-loop turn). Delivery between nodes is best effort: an event published while Redis is away reaches
 * this node's subscribers only, and `onError` hears of the outage once.
 *
 * `subscriber` must be a connection of its own (a subscribed connection carries nothing else); both
 * stay the caller's to close.
 */
export function createRedisBus(publisher: Redis, subscriber: Redis, prefix: string, onError: (error: unknown) => void): RedisBus {
  const channel = `${prefix}events`;
  const node = randomBytes(8).toString('hex');
  const local = createMemoryBus(onError);
  // This node's own events only, for consumers that must act once per event in the deployment.
  const own = createMemoryBus(onError);
  let publishFailing = false;

  const ownPrefix = `${node}\n`;
  const onMessage = (from: string, text: string): void => {
    if (from !== channel || text.startsWith(ownPrefix)) return;
    let events: unknown;
    try {
      events = JSON.parse(text.slice(text.indexOf('\n') + 1));
    } catch (error) {
      onError(error);
      return;
    }
    if (!text.includes('\n') || !Array.isArray(events) || !events.every(isEvent)) {
      onError(new Error(`a message on ${channel} is not a batch of parley events`));
      return;
    }
    for (const event of events) local.publish(event);
  };
  // Events of one turn leave in one PUBLISH: a round trip per event would cost every call more
  // CPU (in parley and in Redis) than the call's own work on the embedded store.
  let pending: ParleyEvent[] = [];
  // Nor is anything published while no other node listens (one node with Redis for its limit):
  // how many connections subscribe to the channel is asked once a second. A node that starts
  // listening hears the others' events within a second of subscribing.
  let othersListen = true;
  const countListeners = (): void => {
    if (!redisReady(publisher)) return;
    publisher.call('PUBSUB', 'NUMSUB', channel).then(
      (reply) => {
        const count = Array.isArray(reply) ? Number(reply[1]) : NaN;
        // Until this node's own subscription is confirmed, the count cannot be read: keep publishing.
        othersListen = !subscribed || !(count <= 1);
      },
      () => (othersListen = true),
    );
  };
  const counting = setInterval(countListeners, LISTENERS_CHECK_MS);
  counting.unref();
  countListeners();
  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (!othersListen) return;
    publisher.publish(channel, encode(node, batch)).then(
      () => (publishFailing = false),
      (error: unknown) => {
        if (publishFailing) return;
        publishFailing = true;
        onError(error);
      },
    );
  };
  // SUBSCRIBE needs a live connection (no offline queue): subscribe now if up, and on every
  // (re)connection, which also covers Redis restarting with its subscriptions forgotten.
  let subscribed = false;
  const subscribe = (): void => {
    subscribed = false;
    subscriber.subscribe(channel).then(() => (subscribed = true), onError);
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', subscribe);
  if (redisReady(subscriber)) subscribe();

  return {
    publish(event) {
      local.publish(event);
      own.publish(event);
      if (pending.push(event) === 1) setImmediate(flush);
    },
    subscribe: (listener) => local.subscribe(listener),
    subscribeLocal: (listener) => own.subscribe(listener),
    healthy: () => redisReady(publisher) && redisReady(subscriber),
    async close() {
      clearInterval(counting);
      if (pending.length > 0) flush();
      subscriber.off('message', onMessage);
      subscriber.off('ready', subscribe);
      if (redisReady(subscriber)) await subscriber.unsubscribe(channel).catch(() => undefined);
      await Promise.all([local.close(), own.close()]);
    },
  };
}
