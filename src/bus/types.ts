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
  readonly eventTime: number;
}

/** A one-to-one message was recalled. */
export interface C2CRecalledEvent {
  readonly type: 'c2c.recalled';
  readonly app: number;
  readonly from: string;
  readonly to: string;
  readonly msgKey: string;
  readonly eventTime: number;
}

/** A group message was stored (or, in an AVChatRoom, only delivered). */
export interface GroupSentEvent {
  readonly type: 'group.sent';
  readonly app: number;
  readonly groupId: string;
  readonly topicId: string;
  readonly from: string;
  readonly seq: number;
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

export type ParleyEvent = C2CModifiedEvent | C2CSentEvent | C2CRecalledEvent | GroupSentEvent | GroupModifiedEvent | GroupRecalledEvent;

/** Publish and subscribe. */
export interface EventBus {
  publish(event: ParleyEvent): void;
  /** Returns a function that ends the subscription. */
  subscribe(listener: (event: ParleyEvent) => void): () => void;
  close(): Promise<void>;
}
