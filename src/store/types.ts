/**
 * The storage contract: what the APIs need, not what SQL offers. The embedded SQLite store
 * implements it today; a PostgreSQL store will implement the same contract and run the same
 * contract suite (test/store-contract.ts).
 *
 * Every write resolves only once it is durable. Expected outcomes (not found, recalled, duplicate)
 * are returned as values; a rejected promise means an outage or a bug.
 */

import type { C2CStateStore } from './c2c-state-types.js';
import type { GroupImportStore } from './group-import-types.js';
import type { GroupAdminStore } from './group-admin-types.js';
import type { GroupListStore } from './group-list-types.js';
import type { TopicAdminStore } from './topic-admin-types.js';
import type { ArchiveStore } from './archive-types.js';
import type { GroupStore } from './group-types.js';
import type { ProfileStore } from './profile-types.js';

/** An account as imported by account_import. */
export interface AccountInput {
  readonly userId: string;
  readonly nick?: string;
  readonly faceUrl?: string;
}

/** `active`: imported and usable; `deleted`: imported once, since deleted; `none`: never imported. */
export type AccountState = 'active' | 'deleted' | 'none';

/** A one-to-one message as it is stored; `body` is the JSON text of MsgBody. */
export interface C2CMessage {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  /** Server time, UNIX seconds. */
  readonly time: number;
  readonly body: string;
  readonly cloudCustomData: string;
  readonly recalled: boolean;
  /** Whether its receiver has read it (admin_set_msg_read up to its time); set by history reads. */
  readonly peerRead?: boolean;
}

/** Identifies one stored one-to-one message: sender, receiver and the three parts of its MsgKey. */
export interface C2CRef {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
}

/** A new one-to-one message for one or more recipients (batchsendmsg stores one copy each). */
export interface C2CSend {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly seq: number;
  readonly random: number;
  /** Server time chosen for the message, UNIX seconds. */
  readonly time: number;
  readonly body: string;
  readonly cloudCustomData: string;
  /** CRC32 of the content, for dedup. */
  readonly crc: number;
  /** False when SyncOtherMachine is 2: the copy is kept out of the sender's roaming history. */
  readonly senderSync: boolean;
  /** A send equal to one stored at or after this time (same sender, seq, random, crc) is a duplicate. */
  readonly dedupSince: number;
  /** Counts as unread for the recipients (false for SendMsgControl NoUnread); default true. */
  readonly countUnread?: boolean;
}

/** What became of a send. */
export type C2CSendOutcome =
  | { readonly kind: 'sender_unknown' }
  /** An equal message was stored inside the dedup window: nothing new was stored. */
  | { readonly kind: 'duplicate'; readonly time: number }
  /** Stored for every recipient not named in `failed`, each with why it failed. */
  | { readonly kind: 'stored'; readonly failed: ReadonlyMap<string, 'recipient_unknown' | 'key_taken'> };

/** One page of admin_getroammsg. */
export interface C2CPageQuery {
  /** Whose roaming history is read. */
  readonly owner: string;
  readonly peer: string;
  readonly minTime: number;
  readonly maxTime: number;
  readonly maxCount: number;
  /** Continue strictly below this message (the previous page's oldest). */
  readonly before?: { readonly seq: number; readonly random: number; readonly time: number };
}

export interface C2CPage {
  /** Oldest first. */
  readonly messages: readonly C2CMessage[];
  /** True when nothing older inside the range remains. */
  readonly complete: boolean;
}

/** Fields a modification replaces; a field left undefined keeps its stored value. */
export interface C2CPatch {
  readonly body?: string;
  readonly cloudCustomData?: string;
  /** The message after modification may be at most this many bytes (MsgBody JSON + CloudCustomData). */
  readonly maxSize: number;
}

/** What became of a modification; on success, the message's content as it now stands. */
export type ModifyOutcome =
  | { readonly kind: 'ok'; readonly body: string; readonly cloudCustomData: string }
  | { readonly kind: 'not_found' | 'recalled' | 'too_large' };
export type RecallOutcome = 'ok' | 'not_found' | 'recalled';

/**
 * An after-callback (third-party callback) as the API handler built it. The store keeps it in its
 * outbox, committed in the same transaction as the write that caused it, until it is delivered.
 */
export interface NewCallback {
  readonly app: number;
  /** Sent with every attempt (never in the body), so the receiver can drop a repeated delivery. */
  readonly deliveryId: string;
  /** The CallbackCommand. */
  readonly command: string;
  /** The ClientIP query parameter: the address of the REST caller. */
  readonly clientIp: string;
  /** The JSON body, exactly as it will be sent. */
  readonly body: string;
  /** Milliseconds. */
  readonly createdAt: number;
  /**
   * When set, the row is born claimed by the process that wrote it, for its first attempt, until
   * this time (ms): the store hands it to that process's listener once committed (see
   * onCallbacksCommitted), and no claim returns it before then. Unset: due at once, for any claim.
   */
  readonly leasedUntil?: number;
  /**
   * The message whose content the body reports (rows.ts c2cSubject, groupSubject), if any: the
   * outbox then keeps `storedBody`, the body without that content, and puts the content back as it
   * is when a delivery reads the row (decisions §5: no copy of old content is kept).
   */
  readonly subject?: string;
  readonly storedBody?: string;
}

/**
 * Decides from a write's outcome which callbacks to add to the outbox. The store runs it inside the
 * write's transaction, so the rows commit with the write or not at all; it must not do I/O.
 */
export type Outbox<O> = (outcome: O) => readonly NewCallback[];

/** A callback claimed for delivery. */
export interface ClaimedCallback extends NewCallback {
  readonly id: number;
  /** Attempts so far, this one included. */
  readonly attempts: number;
}

/** A callback that was given up on: every attempt of the retry schedule failed. */
export interface FailedCallback extends ClaimedCallback {
  /** Milliseconds. */
  readonly failedAt: number;
  readonly lastError: string;
}

/** A row born claimed (leasedUntil set), as committed: its first attempt is its writer's to make. */
export interface LeasedCallback extends ClaimedCallback {
  readonly leasedUntil: number;
}

/** What became of one delivery attempt. */
export type CallbackSettlement =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: number; readonly error: string }
  | { readonly kind: 'failed'; readonly at: number; readonly error: string };

/** One attempt's outcome, for settleCallbacks. */
export interface SettledCallback {
  readonly id: number;
  /** The attempts the row had when this attempt was claimed. */
  readonly attempts: number;
  readonly settlement: CallbackSettlement;
}

/**
 * The outbox of after-callbacks. Several processes (or nodes) may deliver from one store: a claim
 * hands each due row to one of them for a lease, and no other claim returns it until the lease ends
 * or the row is settled.
 */
export interface CallbackStore {
  /** Adds callbacks that no write caused (a message delivered but never stored). */
  enqueueCallbacks(rows: readonly NewCallback[]): Promise<void>;
  /** Claims up to `limit` rows due at `now` (ms) for `leaseMs`, counting an attempt for each. */
  claimCallbacks(now: number, limit: number, leaseMs: number): Promise<readonly ClaimedCallback[]>;
  /**
   * Records attempts' outcomes: delivered rows are removed. Each is ignored when its row was claimed
   * again since (its attempts moved on).
   */
  settleCallbacks(settled: readonly SettledCallback[]): Promise<void>;
  /**
   * Sets the one listener told, right after each commit, of the rows it added that were born
   * claimed (leasedUntil set), with their ids: the writing process delivers them without a claim.
   */
  onCallbacksCommitted(listener: (rows: readonly LeasedCallback[]) => void): void;
  /** The bodies of these rows, with their messages' content as it is now; rows gone are left out. */
  callbackBodies(ids: readonly number[]): Promise<ReadonlyMap<number, string>>;
  /** An app's failed callbacks, oldest first, with id above `afterId`. */
  failedCallbacks(app: number, limit: number, afterId: number): Promise<readonly FailedCallback[]>;
  /** Removes failed callbacks that failed before `before` (ms); answers how many. */
  purgeFailedCallbacks(before: number): Promise<number>;
}

/** Accounts of one app. */
export interface AccountStore {
  /** Imports or re-imports (un-deleting) accounts, updating Nick and FaceUrl where given. */
  importAccounts(app: number, accounts: readonly AccountInput[]): Promise<void>;
  /** Marks accounts deleted; answers per account whether it was active before. */
  deleteAccounts(app: number, userIds: readonly string[]): Promise<ReadonlyMap<string, boolean>>;
  accountStates(app: number, userIds: readonly string[]): Promise<ReadonlyMap<string, AccountState>>;
  /** The state of one account (the hot paths check one or two accounts per call). */
  accountState(app: number, userId: string): Promise<AccountState>;
  /**
   * Whether the account was ever imported (active or deleted). Once true it stays true, since no
   * account returns to `none`: every node may remember a true answer for good.
   */
  accountKnown(app: number, userId: string): Promise<boolean>;
}

/** One-to-one history. */
export interface C2CStore {
  sendC2C(app: number, message: C2CSend, outbox?: Outbox<C2CSendOutcome>): Promise<C2CSendOutcome>;
  pageC2C(app: number, query: C2CPageQuery): Promise<C2CPage>;
  recallC2C(app: number, ref: C2CRef, outbox?: Outbox<RecallOutcome>): Promise<RecallOutcome>;
  modifyC2C(app: number, ref: C2CRef, patch: C2CPatch, outbox?: Outbox<ModifyOutcome>): Promise<ModifyOutcome>;
}

/** Everything parley keeps. */
export interface Store extends AccountStore, C2CStore, C2CStateStore, GroupStore, GroupImportStore, GroupAdminStore, GroupListStore, TopicAdminStore, ProfileStore, CallbackStore, ArchiveStore {
  /** Resolves true while the store can serve calls. */
  healthy(): Promise<boolean>;
  /** Finishes pending writes and releases files and connections. */
  close(): Promise<void>;
}
