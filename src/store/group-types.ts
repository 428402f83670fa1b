import type { ModifyOutcome, Outbox } from './types.js';

/**
 * The group part of the storage contract: groups, members, Community topics and group history.
 * MsgSeq is allocated inside the transaction that stores the message, from a counter row per
 * group (and per topic), so it stays gapless and unique when several processes share a database.
 */

/** Canonical group types; Work, Meeting are stored as given but behave as Private, ChatRoom. */
export type GroupType = 'Private' | 'Work' | 'Public' | 'ChatRoom' | 'Meeting' | 'AVChatRoom' | 'Community';

export interface GroupMemberInput {
  readonly account: string;
  readonly role: 'Owner' | 'Admin' | 'Member';
  readonly nameCard?: string;
  readonly msgFlag?: string;
  /** JSON text of AppMemberDefinedData ([{Key, Value}]). */
  readonly appDefinedData?: string;
}

export interface NewGroup {
  readonly groupId: string;
  readonly type: GroupType;
  readonly name: string;
  readonly owner: string;
  readonly introduction: string;
  readonly notification: string;
  readonly faceUrl: string;
  readonly maxMemberCount: number;
  readonly applyJoinOption: string;
  readonly inviteJoinOption: string;
  readonly supportTopic: boolean;
  /** JSON text of AppDefinedData ([{Key, Value}]). */
  readonly appDefinedData: string;
  readonly members: readonly GroupMemberInput[];
  /** UNIX seconds. */
  readonly createTime: number;
  /** create_group's EnablePermission and DefaultPermission (permission groups), kept as given. */
  readonly enablePermission?: number;
  readonly defaultPermission?: number;
  /** JSON text of create_group's top-level AppMemberDefinedData: every initial member's own unless it gives one. */
  readonly appMemberDefinedData?: string;
}

export interface Group extends Omit<NewGroup, 'members'> {
  /** MsgSeq the next stored message of the group (not of its topics) will get. */
  readonly nextMsgSeq: number;
  readonly lastMsgTime: number;
  /** Starts at 1 and grows by one with every change of the group's profile. */
  readonly infoSeq: number;
  /** When the profile last changed (UNIX seconds); the creation time until it does. */
  readonly lastInfoTime: number;
  /** ShutUpAllMember / MuteAllMember: only the owner, admins and app admins may send. */
  readonly muteAll: boolean;
}

/** What never changes about a group once created: enough to route a message or a modification. */
export type GroupKind = Pick<Group, 'groupId' | 'type' | 'supportTopic'>;

export interface GroupMember {
  readonly account: string;
  readonly role: string;
  readonly joinTime: number;
  readonly nameCard: string;
  readonly msgFlag: string;
  /** When the member last sent a message to the group (or one of its topics); 0 if never. */
  readonly lastSendTime: number;
  /** JSON text of AppMemberDefinedData ([{Key, Value}]). */
  readonly appDefinedData: string;
  /** Muted until then (UNIX seconds); 0 when never muted. A past time means no longer muted. */
  readonly muteUntil: number;
  /**
   * The MsgSeq up to which the member has read the group: its own sends, and what
   * import_group_member, import_group_msg and set_unread_msg_num set; 0 when none.
   */
  readonly readSeq: number;
}

export interface NewTopic {
  readonly groupId: string;
  readonly topicId: string;
  readonly name: string;
  readonly fromAccount: string;
  readonly customString: string;
  readonly faceUrl: string;
  readonly notification: string;
  readonly introduction: string;
  readonly createTime: number;
}

export interface Topic extends NewTopic {
  readonly nextMsgSeq: number;
  readonly lastMsgTime: number;
  /** MuteAllMember of modify_topic (get_topic's ShutUpAllFlag). */
  readonly muteAll: boolean;
}

/** A stored group message; `body` is the JSON text of MsgBody. topicId is '' outside topics. */
export interface GroupMessage {
  readonly groupId: string;
  readonly topicId: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  readonly from: string;
  readonly priority: number;
  readonly body: string;
  readonly cloudCustomData: string;
  readonly recalled: boolean;
  /** The members a targeted message was sent to; empty for a message to the whole group. */
  readonly toAccounts: readonly string[];
}

export interface GroupSend {
  readonly groupId: string;
  readonly topicId: string;
  readonly from: string;
  readonly random: number;
  readonly time: number;
  readonly priority: number;
  readonly body: string;
  readonly cloudCustomData: string;
  /** False: take a MsgSeq but keep no history (AVChatRoom). */
  readonly keep: boolean;
  /** A message with the same Random stored at or after this time is a duplicate. */
  readonly dedupSince: number;
  /** The sender must be a member (all types but AVChatRoom, and not for the admin). */
  readonly memberOnly: boolean;
  /** A targeted message (To_Account): only these members receive it. Empty: the whole group. */
  readonly toAccounts: readonly string[];
}

export type GroupSendOutcome =
  | { readonly kind: 'stored' | 'duplicate'; readonly seq: number; readonly time: number }
  | { readonly kind: 'group_not_found' | 'topic_not_found' | 'not_member' }
  /**
   * The sender is muted until `until` (0: every member is muted, by the group's ShutUpAllMember or,
   * with `topic`, by the topic's MuteAllMember); nothing was stored.
   */
  | { readonly kind: 'muted'; readonly until: number; readonly topic?: boolean }
  /** A To_Account recipient is not a member of the group; nothing was stored. */
  | { readonly kind: 'recipient_not_member'; readonly account: string };

export type AddMemberResult = 'added' | 'already' | 'unknown_account';

export interface GroupStore {
  /** Creates a group; false when its GroupId is taken. */
  createGroup(app: number, group: NewGroup): Promise<boolean>;
  getGroup(app: number, groupId: string): Promise<Group | undefined>;
  /** The fixed facts of a group (cheaper than getGroup, and cacheable); undefined when there is none. */
  groupKind(app: number, groupId: string): Promise<GroupKind | undefined>;
  groupMembers(app: number, groupId: string): Promise<readonly GroupMember[]>;
  /** One member of a group; undefined when the account is not a member (or there is no such group). */
  groupMember(app: number, groupId: string, account: string): Promise<GroupMember | undefined>;
  /** Adds members (imported accounts only); undefined when the group does not exist or is full. */
  addGroupMembers(app: number, groupId: string, accounts: readonly string[], joinTime: number): Promise<ReadonlyMap<string, AddMemberResult> | 'group_not_found' | 'full'>;
  deleteGroupMembers(app: number, groupId: string, accounts: readonly string[]): Promise<'ok' | 'group_not_found'>;
  /** Destroys a group with its members, topics and history; false when it did not exist. */
  destroyGroup(app: number, groupId: string): Promise<boolean>;

  /** Creates a topic in an existing group. */
  createTopic(app: number, topic: NewTopic): Promise<'created' | 'taken' | 'group_not_found'>;
  getTopics(app: number, groupId: string): Promise<readonly Topic[]>;
  getTopic(app: number, groupId: string, topicId: string): Promise<Topic | undefined>;
  destroyTopic(app: number, groupId: string, topicId: string): Promise<boolean>;

  sendGroupMessage(app: number, message: GroupSend, outbox?: Outbox<GroupSendOutcome>): Promise<GroupSendOutcome>;
  /** Up to `limit` stored messages with seq ≤ toSeq, newest first; recalled ones only when asked. */
  groupHistory(app: number, groupId: string, topicId: string, toSeq: number, limit: number, withRecalled: boolean): Promise<readonly GroupMessage[]>;
  recallGroupMessage(app: number, groupId: string, topicId: string, seq: number, outbox?: Outbox<'ok' | 'not_found' | 'recalled'>): Promise<'ok' | 'not_found' | 'recalled'>;
  modifyGroupMessage(
    app: number,
    groupId: string,
    topicId: string,
    seq: number,
    patch: { readonly body?: string; readonly cloudCustomData?: string; readonly maxSize: number },
    outbox?: Outbox<ModifyOutcome>,
  ): Promise<ModifyOutcome>;
}
