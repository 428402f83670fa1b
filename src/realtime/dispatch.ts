import type { FastifyBaseLogger } from 'fastify';
import type { EventBus, GroupModifiedEvent, GroupRecalledEvent, GroupSentEvent, ParleyEvent } from '../bus/types.js';
import type { GroupMessage } from '../store/group-types.js';
import type { Store } from '../store/types.js';
import { c2cFrame, destroyedFrame, groupMsgFrame, memberChangedFrame, systemNotificationFrame } from './frames.js';
import { type Realtime, streamKey } from './types.js';

/**
 * Turns the events this process publishes into frames on the streams of the users they concern:
 * both parties of a one-to-one message; every member of a group, or only the sender and the
 * recipients of a targeted message. It runs on every node for that node's own events, so each
 * event is added once to each stream in the deployment.
 *
 * The publishing path pays for one microtask and one Map look-up per event while nobody of the
 * app is connected: nothing is built, read or awaited before `wantsApp`. Group events read the
 * members (and, for a modification or recall, the message's fixed fields) only past that check,
 * one group at a time in publishing order, so a user sees a group's events in order.
 */
export function startDispatch(bus: EventBus, store: Store, realtime: Realtime, logger: FastifyBaseLogger): () => void {
  const { presence, streams } = realtime;
  const deliver = (app: number, users: Iterable<string>, body: string): void => {
    for (const user of new Set(users)) {
      const key = streamKey(app, user);
      if (presence.wants(key)) streams.append(key, body);
    }
  };
  const members = async (app: number, groupId: string): Promise<string[]> => (await store.groupMembers(app, groupId)).map((m) => m.account);
  const recipients = async (app: number, m: Pick<GroupMessage, 'groupId' | 'from' | 'toAccounts'>): Promise<readonly string[]> =>
    m.toAccounts.length > 0 ? [...m.toAccounts, m.from] : members(app, m.groupId);
  /** The stored message with this MsgSeq (recalled ones too): its sender, place and recipients never change. */
  const stored = async (app: number, groupId: string, topicId: string, seq: number): Promise<GroupMessage | undefined> => {
    const [m] = await store.groupHistory(app, groupId, topicId, seq, 1, true);
    return m?.seq === seq ? m : undefined;
  };

  const groupSent = async (e: GroupSentEvent): Promise<void> => {
    const body = groupMsgFrame('Group.NewMsg', e);
    deliver(e.app, await recipients(e.app, e), body);
  };
  const groupModified = async (e: GroupModifiedEvent): Promise<void> => {
    const m = await stored(e.app, e.groupId, e.topicId, e.seq);
    if (m === undefined) return; // destroyed since
    deliver(e.app, await recipients(e.app, m), groupMsgFrame('Group.MsgModified', { ...m, body: e.body, cloudCustomData: e.cloudCustomData }));
  };
  const groupRecalled = async (e: GroupRecalledEvent): Promise<void> => {
    let everyone: readonly string[] | undefined;
    for (const seq of e.seqs) {
      const m = await stored(e.app, e.groupId, e.topicId, seq);
      if (m === undefined) continue;
      const to = m.toAccounts.length > 0 ? [...m.toAccounts, m.from] : (everyone ??= await members(e.app, e.groupId));
      deliver(e.app, to, groupMsgFrame('Group.MsgRecalled', m));
    }
  };

  // One chain per group keeps its events in order; chains of different groups run side by side.
  const chains = new Map<string, Promise<void>>();
  const inOrder = (app: number, groupId: string, work: () => Promise<void>): void => {
    const id = `${app}:${groupId}`;
    const next = (chains.get(id) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => logger.error({ err: error, groupId }, 'event stream: a group event could not be delivered'));
    chains.set(id, next);
    void next.then(() => {
      if (chains.get(id) === next) chains.delete(id);
    });
  };

  const dispatch = (e: ParleyEvent): void => {
    if (!presence.wantsApp(e.app)) return;
    switch (e.type) {
      case 'c2c.sent':
        deliver(e.app, e.senderSync ? [e.to, e.from] : [e.to], c2cFrame('C2C.NewMsg', e));
        return;
      case 'c2c.modified':
        deliver(e.app, [e.to, e.from], c2cFrame('C2C.MsgModified', e));
        return;
      case 'c2c.recalled':
        deliver(e.app, [e.to, e.from], c2cFrame('C2C.MsgRecalled', { ...e, body: '[]', cloudCustomData: '' }));
        return;
      case 'group.sent':
        return inOrder(e.app, e.groupId, () => groupSent(e));
      case 'group.modified':
        return inOrder(e.app, e.groupId, () => groupModified(e));
      case 'group.recalled':
        return inOrder(e.app, e.groupId, () => groupRecalled(e));
      case 'group.system':
        return inOrder(e.app, e.groupId, async () =>
          deliver(e.app, e.toAccounts.length > 0 ? e.toAccounts : await members(e.app, e.groupId), systemNotificationFrame(e.groupId, e.topicId, e.content)),
        );
      case 'group.members':
        return inOrder(e.app, e.groupId, async () => {
          const now = await members(e.app, e.groupId);
          deliver(e.app, e.action === 'removed' ? [...now, ...e.accounts] : now, memberChangedFrame(e.groupId, e.action, e.accounts, e.operator));
        });
      case 'group.destroyed':
        return inOrder(e.app, e.groupId, async () => deliver(e.app, e.members, destroyedFrame(e.groupId, e.operator)));
    }
  };
  return bus.subscribeLocal(dispatch);
}
