/**
 * The storage contract of one-to-one import, one-sided deletion and read state (importmsg,
 * delete_c2c_msg_ramble, admin_set_msg_read, get_c2c_unread_msg_num). Part of Store (types.ts).
 */

/** A message imported from another system (importmsg): its time is the one given, not the server's. */
export interface C2CImport {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  /** MsgTimeStamp, UNIX seconds. */
  readonly time: number;
  readonly body: string;
  readonly cloudCustomData: string;
  /** CRC32 of the content (sendmsg's dedup looks it up). */
  readonly crc: number;
  /** SyncFromOldSystem 1 or 5: counts as unread for the receiver; 2: history, read already. */
  readonly countUnread: boolean;
}

/**
 * What became of an import. A message of the same conversation (either direction) with the same
 * MsgSeq, MsgRandom and MsgTimeStamp is a duplicate whatever its content: nothing is stored and
 * the first one's content stays.
 */
export type C2CImportOutcome = 'stored' | 'duplicate' | 'sender_unknown' | 'recipient_unknown';

/** The three parts of a MsgKey. */
export interface MsgKeyParts {
  readonly seq: number;
  readonly random: number;
  readonly time: number;
}

/** What a one-sided deletion did: messages hidden from the owner, and of those, destroyed (both sides gone). */
export interface C2CDeleteOutcome {
  readonly hidden: number;
  readonly destroyed: number;
}

/** Unread one-to-one messages of a user: in all, and with each peer asked for. */
export interface C2CUnread {
  readonly total: number;
  readonly byPeer: ReadonlyMap<string, number>;
}

export interface C2CStateStore {
  /** Stores an imported message unless both parties are not active or it is a duplicate. */
  importC2C(app: number, message: C2CImport): Promise<C2CImportOutcome>;
  /**
   * Hides the messages with these keys between owner and peer (either direction) from the owner's
   * history; a message neither party can see any more is deleted, its content destroyed. Keys that
   * name no such message are ignored.
   */
  deleteC2CForOwner(app: number, owner: string, peer: string, keys: readonly MsgKeyParts[]): Promise<C2CDeleteOutcome>;
  /** Marks every message from peer to user up to readTime (UNIX seconds) read; never moves back. */
  setC2CRead(app: number, user: string, peer: string, readTime: number): Promise<void>;
  /** The user's unread count in all, and per peer for the peers given. */
  unreadC2C(app: number, user: string, peers: readonly string[]): Promise<C2CUnread>;
}
