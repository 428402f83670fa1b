/**
 * Events between the parts of parley (and, later, between parley processes over Redis). The REST
 * handlers publish what happened; the WebSocket stream and the app-server callbacks will
 * subscribe. Publishing never waits for subscribers.
 */

/** A one-to-one message was modified by modify_c2c_msg. */
export interface C2CModifiedEvent {
  readonly type: 'c2c.modified';
  readonly app: number;
  readonly operator: string;
  readonly from: string;
  readonly to: string;
  readonly msgKey: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  /** The MsgBody after modification, as JSON text. */
  readonly body: string;
  readonly cloudCustomData: string;
  /** Milliseconds. */
  readonly eventTime: number;
}

/** A one-to-one message was stored (or, with MsgLifeTime 0, only delivered). */
export interface C2CSentEvent {
  readonly type: 'c2c.sent';
  readonly app: number;
  readonly from: string;
  readonly to: string;
  readonly msgKey: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  /** MsgBody as JSON text. */
  readonly body: string;
  readonly cloudCustomData: string;
  /** False when SyncOtherMachine is 2: the sender's other devices do not get the message. */
  readonly senderSync: boolean;
  readonly eventTime: number;
}

/** A one-to-one message was recalled. */
export interface C2CRecalledEvent {
  readonly type: 'c2c.recalled';
  readonly app: number;
  readonly operator: string;
  readonly from: string;
  readonly to: string;
  readonly msgKey: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  readonly eventTime: number;
}

/** A group message was stored (or, in an AVChatRoom, only delivered). */
export interface GroupSentEvent {
  readonly type: 'group.sent';
  readonly app: number;
  readonly groupId: string;
  readonly topicId: string;
  readonly from: string;
  /** 0 for an online-only message, which takes no sequence number. */
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  /** MsgPriority as group history shows it (1 High … 4 Lowest). */
  readonly priority: number;
  /** MsgBody as JSON text. */
  readonly body: string;
  readonly cloudCustomData: string;
  /** A targeted message reaches only these members (and its sender); empty: the whole group. */
  readonly toAccounts: readonly string[];
  readonly eventTime: number;
}

/** A group message was modified by modify_group_msg. */
export interface GroupModifiedEvent {
  readonly type: 'group.modified';
  readonly app: number;
  readonly operator: string;
  readonly groupId: string;
  readonly topicId: string;
  readonly seq: number;
  readonly body: string;
  readonly cloudCustomData: string;
  readonly eventTime: number;
}

/** Group messages were recalled. */
export interface GroupRecalledEvent {
  readonly type: 'group.recalled';
  readonly app: number;
  readonly operator: string;
  readonly groupId: string;
  readonly topicId: string;
  readonly seqs: readonly number[];
  readonly eventTime: number;
}

/** A group system notification (send_group_system_notification): delivered to online members, never stored. */
export interface GroupSystemEvent {
  readonly type: 'group.system';
  readonly app: number;
  readonly groupId: string;
  readonly topicId: string;
  readonly content: string;
  /** Only these members get it; empty: every member. */
  readonly toAccounts: readonly string[];
  readonly eventTime: number;
}

/** Members joined or left a group (add_group_member, delete_group_member). */
export interface GroupMembersEvent {
  readonly type: 'group.members';
  readonly app: number;
  readonly operator: string;
  readonly groupId: string;
  readonly action: 'added' | 'removed';
  /** Added: the accounts that became members. Removed: the accounts named, none of which is a member now. */
  readonly accounts: readonly string[];
  readonly eventTime: number;
}

/** A group was destroyed, with its members as they were just before. */
export interface GroupDestroyedEvent {
  readonly type: 'group.destroyed';
  readonly app: number;
  readonly operator: string;
  readonly groupId: string;
  readonly members: readonly string[];
  readonly eventTime: number;
}

export type ParleyEvent =
  | C2CModifiedEvent
  | C2CSentEvent
  | C2CRecalledEvent
  | GroupSentEvent
  | GroupModifiedEvent
  | GroupRecalledEvent
  | GroupSystemEvent
  | GroupMembersEvent
  | GroupDestroyedEvent;

/** Publish and subscribe. */
export interface EventBus {
  publish(event: ParleyEvent): void;
  /** Every event, this process's and (over Redis) other nodes'. Returns a function that ends the subscription. */
  subscribe(listener: (event: ParleyEvent) => void): () => void;
  /**
   * Only the events this process published: what a consumer that must act once per event in the
   * whole deployment (the user event streams) listens to on every node.
   */
  subscribeLocal(listener: (event: ParleyEvent) => void): () => void;
  close(): Promise<void>;
}
