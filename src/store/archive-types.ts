import type { GroupMessage } from './group-types.js';
import type { C2CMessage } from './types.js';

/**
 * Where a page of a one-to-one archive continues: strictly after this message in the archive's
 * order (time, sender, receiver, MsgSeq, MsgRandom). Any stored message is one.
 */
export interface C2CArchiveCursor {
  readonly time: number;
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
}

/** Where a page of a group archive continues: strictly after this message in (time, GroupId, TopicId, MsgSeq) order. */
export interface GroupArchiveCursor {
  readonly time: number;
  readonly groupId: string;
  readonly topicId: string;
  readonly seq: number;
}

/**
 * An app's messages of a stretch of time, for the hourly history archive (open_msg_svc/get_history).
 * Pages are read by key, never with a cursor held open, so a long read neither pins a connection
 * nor keeps others waiting; recalled messages are left out, modified ones come as they now stand.
 */
export interface ArchiveStore {
  /** Up to `limit` one-to-one messages with since ≤ time < until, not recalled, in (time, from, to, MsgSeq, MsgRandom) order, after `after`. */
  archiveC2C(app: number, since: number, until: number, after: C2CArchiveCursor | undefined, limit: number): Promise<readonly C2CMessage[]>;
  /** Up to `limit` stored group messages with since ≤ time < until, not recalled, in (time, GroupId, TopicId, MsgSeq) order, after `after`. */
  archiveGroup(app: number, since: number, until: number, after: GroupArchiveCursor | undefined, limit: number): Promise<readonly GroupMessage[]>;
}
