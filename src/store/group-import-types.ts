/**
 * The part of the storage contract for migrating history into groups and for the admin's
 * bulk operations on it: imported members and messages, unread counts (kept as read positions),
 * and deleting a sender's messages.
 */

/** A member as import_group_member brings it in. */
export interface ImportedMember {
  readonly account: string;
  readonly role: 'Admin' | 'Member';
  /** UNIX seconds. */
  readonly joinTime: number;
  /** Unread messages the member has (at most the group's message count); undefined: none. */
  readonly unread: number | undefined;
}

/** 'bad_time': the JoinTime is before the group's creation or after now. */
export type ImportMemberResult = 'added' | 'already' | 'unknown_account' | 'bad_time';

/** A message as import_group_msg brings it in; `body` is the JSON text of MsgBody. */
export interface ImportedMessage {
  readonly from: string;
  /** The historical send time, UNIX seconds. */
  readonly time: number;
  readonly random: number;
  /** False when the import named no Random (one was drawn): then no earlier message is its duplicate. */
  readonly dedup: boolean;
  readonly body: string;
  readonly cloudCustomData: string;
}

/**
 * What became of one imported message: stored with the group's next MsgSeq; a duplicate of one
 * stored before (same Random within the dedup window of its time), which it answers with; or
 * refused because its time is in the future, before the group's creation or before the group's
 * newest message.
 */
export type ImportMessageOutcome =
  | { readonly kind: 'stored' | 'duplicate'; readonly seq: number; readonly time: number }
  | { readonly kind: 'bad_time'; readonly time: number };

export interface GroupImportStore {
  /** Adds members with their historical join times (imported accounts only); 'full' changes nothing. */
  importGroupMembers(app: number, groupId: string, members: readonly ImportedMember[], now: number): Promise<ReadonlyMap<string, ImportMemberResult> | 'group_not_found' | 'full'>;
  /**
   * Stores historical messages in order in the group's own history (not a topic's), each with the
   * group's next MsgSeq; `dedupSeconds` is the Random window. Every member's unread count becomes 0.
   */
  importGroupMessages(app: number, groupId: string, messages: readonly ImportedMessage[], now: number, dedupSeconds: number): Promise<readonly ImportMessageOutcome[] | 'group_not_found'>;
  /** Sets a member's unread count (capped at the group's message count) by moving its read position. */
  setUnreadMsgNum(app: number, groupId: string, account: string, unread: number): Promise<'ok' | 'group_not_found' | 'not_member'>;
  /**
   * Recalls, with their content destroyed, the messages `sender` sent among the newest `window`
   * of the group's history and of each of its topics; answers how many.
   */
  deleteGroupMessagesBySender(app: number, groupId: string, sender: string, window: number): Promise<number | 'group_not_found'>;
}
