import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisReady } from '../redis.js';
import { createMemoryBus } from './memory.js';
import type { EventBus, ParleyEvent } from './types.js';

/** What travels on the channel: the event and the node that published it. */
interface Envelope {
  readonly node: string;
  readonly event: ParleyEvent;
}

function isEnvelope(value: unknown): value is Envelope {
  const v = value as Partial<Envelope> | null;
  return typeof v === 'object' && v !== null && typeof v.node === 'string' && typeof v.event === 'object' && v.event !== null && typeof v.event.type === 'string';
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
 * channel). Delivery between nodes is best effort: an event published while Redis is away reaches
 * this node's subscribers only, and `onError` hears of the outage once.
 *
 * `subscriber` must be a connection of its own (a subscribed connection carries nothing else); both
 * stay the caller's to close.
 */
export function createRedisBus(publisher: Redis, subscriber: Redis, prefix: string, onError: (error: unknown) => void): RedisBus {
  const channel = `${prefix}events`;
  const node = randomBytes(8).toString('hex');
  const local = createMemoryBus(onError);
  let publishFailing = false;

  const onMessage = (from: string, text: string): void => {
    if (from !== channel) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch (error) {
      onError(error);
      return;
    }
    if (!isEnvelope(envelope)) {
      onError(new Error(`a message on ${channel} is not a parley event`));
      return;
    }
    if (envelope.node !== node) local.publish(envelope.event);
  };
  // SUBSCRIBE needs a live connection (no offline queue): subscribe now if up, and on every
  // (re)connection, which also covers Redis restarting with its subscriptions forgotten.
  const subscribe = (): void => {
    subscriber.subscribe(channel).catch(onError);
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', subscribe);
  if (redisReady(subscriber)) subscribe();

  return {
    publish(event) {
      local.publish(event);
      publisher.publish(channel, JSON.stringify({ node, event } satisfies Envelope)).then(
        () => (publishFailing = false),
        (error: unknown) => {
          if (publishFailing) return;
          publishFailing = true;
          onError(error);
        },
      );
    },
    subscribe: (listener) => local.subscribe(listener),
    healthy: () => redisReady(publisher) && redisReady(subscriber),
    async close() {
      subscriber.off('message', onMessage);
      subscriber.off('ready', subscribe);
      if (redisReady(subscriber)) await subscriber.unsubscribe(channel).catch(() => undefined);
      await local.close();
    },
  };
}
