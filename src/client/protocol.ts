/**
 * The event stream's wire protocol (docs/events.md), shared by the server (src/realtime/) and the
 * client (parley/client). Types and constants only: nothing here does I/O.
 */

/** Where the stream is served, below the server's base URL. */
export const EVENTS_PATH = '/parley/v1/events';

/** The largest text frame a client may send; a larger one closes its socket (1009). */
export const MAX_CLIENT_FRAME_BYTES = 4096;

/** Close codes the server uses, and what a client should do after each. */
export const CloseCode = {
  /** The server is stopping: reconnect (to any node) and resume. */
  GoingAway: 1001,
  /** The client sent a binary frame: only JSON text frames are read. */
  Unsupported: 1003,
  /** The client sent a frame that is not `{"Event":"Ping"}`. */
  Malformed: 1008,
  /** The client sent a frame over MAX_CLIENT_FRAME_BYTES. */
  TooBig: 1009,
  /** im_open_login_svc/kick invalidated the UserSig: do not reconnect with it; a newer one works. */
  Kicked: 4001,
  /** The UserSig expired while connected: reconnect with a new one and resume. */
  UserSigExpired: 4002,
  /** The client read too slowly and the server stopped buffering for it: reconnect and resume. */
  SlowConsumer: 4008,
  /** The server lost part of the stream's live feed (a Redis outage): reconnect and resume. */
  Interrupted: 4009,
  /** The query parameters are missing or malformed; the reason starts with the gateway's code. */
  BadRequest: 4400,
  /** The UserSig was refused; the reason starts with the gateway's code (70001, 70003, 70009, 70013, 70014). */
  Refused: 4401,
  /** The identifier is not an imported account, or it was deleted (70107). */
  NotImported: 4403,
  /** The user already has the most connections the server allows; the reason says how many. */
  TooManyConnections: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** One element of a message body, as Tencent's APIs carry it. */
export interface MsgElement {
  readonly MsgType: string;
  readonly MsgContent: Readonly<Record<string, unknown>>;
}

/** Where a frame sits in its user's stream. */
export interface StreamPosition {
  /** Grows by exactly 1 per event of this user's stream. */
  readonly Offset: number;
  /** Names the stream; a different one means the stream was lost and started again. */
  readonly Epoch: string;
}

/** The fields of a one-to-one message: those of an admin_getroammsg MsgList entry. */
export interface C2CMessage {
  readonly From_Account: string;
  readonly To_Account: string;
  readonly MsgSeq: number;
  readonly MsgRandom: number;
  readonly MsgTimeStamp: number;
  /** 8: recalled. */
  readonly MsgFlagBits: number;
  readonly IsPeerRead: number;
  readonly MsgKey: string;
  readonly MsgBody: readonly MsgElement[];
  readonly CloudCustomData: string;
}

/** The fields of a group message: a group_msg_get_simple RspMsgList entry plus GroupId and TopicId. */
export interface GroupMessage {
  readonly GroupId: string;
  /** "" outside topics. */
  readonly TopicId: string;
  readonly From_Account: string;
  /** 2: recalled. */
  readonly IsPlaceMsg: number;
  readonly MsgBody: readonly MsgElement[];
  readonly MsgPriority: number;
  readonly MsgRandom: number;
  /** 0 for an online-only message. */
  readonly MsgSeq: number;
  readonly MsgTimeStamp: number;
  readonly IsSystemMsg: number;
  readonly CloudCustomData: string;
}

export type C2CEventName = 'C2C.NewMsg' | 'C2C.MsgModified' | 'C2C.MsgRecalled';
export type GroupMsgEventName = 'Group.NewMsg' | 'Group.MsgModified' | 'Group.MsgRecalled';

export type C2CFrame = { readonly Event: C2CEventName } & StreamPosition & C2CMessage;
export type GroupMsgFrame = { readonly Event: GroupMsgEventName } & StreamPosition & GroupMessage;

/** Members joined or left a group. */
export type MemberChangedFrame = {
  readonly Event: 'Group.MemberChanged';
  readonly GroupId: string;
  readonly Action: 'Added' | 'Removed';
  /** Added: the new members. Removed: the accounts the call named; none of them is a member now. */
  readonly MemberList: readonly string[];
  readonly Operator_Account: string;
} & StreamPosition;

/** A group was destroyed; its members (as they were) get this. */
export type DestroyedFrame = {
  readonly Event: 'Group.Destroyed';
  readonly GroupId: string;
  readonly Operator_Account: string;
} & StreamPosition;

/** A group system notification (send_group_system_notification): online only, never in history. */
export type SystemNotificationFrame = {
  readonly Event: 'Group.SystemNotification';
  readonly GroupId: string;
  /** "" outside topics. */
  readonly TopicId: string;
  readonly Content: string;
} & StreamPosition;

/** Every event a user's stream carries. */
export type EventFrame = C2CFrame | GroupMsgFrame | MemberChangedFrame | SystemNotificationFrame | DestroyedFrame;

/** The first frame of every connection. */
export interface ConnectedFrame {
  readonly Event: 'Stream.Connected';
  /** The stream's epoch; every later frame of this connection carries the same one. */
  readonly Epoch: string;
  /** The offset of the stream's newest event when the connection was made. */
  readonly Offset: number;
  /** The resume asked for (offset and epoch) is served: the missed frames follow, then live ones. */
  readonly Recovered: boolean;
  /**
   * A resume was asked for but cannot be served (another epoch, or the missed events are older than
   * the retention): read what was missed from history (admin_getroammsg, group_msg_get_simple).
   */
  readonly Resync: boolean;
}

/** The answer to a client's `{"Event":"Ping"}`. */
export interface PongFrame {
  readonly Event: 'Stream.Pong';
}

/** Every frame the server sends. */
export type ServerFrame = EventFrame | ConnectedFrame | PongFrame;

/** The one frame a client may send: an application-level heartbeat (browsers cannot send pings). */
export interface PingFrame {
  readonly Event: 'Ping';
}
