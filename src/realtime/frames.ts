import type { C2CEventName, GroupMsgEventName } from '../client/protocol.js';
import type { GroupMessage } from '../store/group-types.js';

// The frames of the event stream (docs/events.md), built once per event as JSON text without Offset
// and Epoch; `withPosition` adds those per user at send time. Bodies are stored JSON text and are
// spliced in as they are, never parsed again.

/** MsgFlagBits of a recalled one-to-one message, IsPlaceMsg of a recalled group message. */
const C2C_RECALLED = 8;
const GROUP_RECALLED = 2;

/** The fields of a one-to-one message, as admin_getroammsg's MsgList has them. */
export interface C2CFrameFields {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  readonly time: number;
  readonly msgKey: string;
  /** MsgBody as JSON text. */
  readonly body: string;
  readonly cloudCustomData: string;
}

/** A C2C.* frame. A recalled message's content is gone: its body is empty. */
export function c2cFrame(event: C2CEventName, m: C2CFrameFields): string {
  const recalled = event === 'C2C.MsgRecalled';
  return (
    `{"Event":"${event}","From_Account":${JSON.stringify(m.from)},"To_Account":${JSON.stringify(m.to)}` +
    `,"MsgSeq":${m.seq},"MsgRandom":${m.random},"MsgTimeStamp":${m.time},"MsgFlagBits":${recalled ? C2C_RECALLED : 0},"IsPeerRead":0` +
    `,"MsgKey":${JSON.stringify(m.msgKey)},"MsgBody":${recalled ? '[]' : m.body},"CloudCustomData":${JSON.stringify(recalled ? '' : m.cloudCustomData)}}`
  );
}

/** The fields of a group message, as group_msg_get_simple's RspMsgList has them, with its place. */
export type GroupFrameFields = Pick<GroupMessage, 'groupId' | 'topicId' | 'from' | 'seq' | 'random' | 'time' | 'priority' | 'body' | 'cloudCustomData'>;

/** A Group.*Msg* frame. A recalled message's content is gone: its body is empty. */
export function groupMsgFrame(event: GroupMsgEventName, m: GroupFrameFields): string {
  const recalled = event === 'Group.MsgRecalled';
  return (
    `{"Event":"${event}","GroupId":${JSON.stringify(m.groupId)},"TopicId":${JSON.stringify(m.topicId)},"From_Account":${JSON.stringify(m.from)}` +
    `,"IsPlaceMsg":${recalled ? GROUP_RECALLED : 0},"MsgBody":${recalled ? '[]' : m.body},"MsgPriority":${m.priority},"MsgRandom":${m.random}` +
    `,"MsgSeq":${m.seq},"MsgTimeStamp":${m.time},"IsSystemMsg":0,"CloudCustomData":${JSON.stringify(recalled ? '' : m.cloudCustomData)}}`
  );
}

/** A Group.MemberChanged frame. */
export function memberChangedFrame(groupId: string, action: 'added' | 'removed', accounts: readonly string[], operator: string): string {
  return JSON.stringify({ Event: 'Group.MemberChanged', GroupId: groupId, Action: action === 'added' ? 'Added' : 'Removed', MemberList: accounts, Operator_Account: operator });
}

/** A Group.SystemNotification frame. */
export function systemNotificationFrame(groupId: string, topicId: string, content: string): string {
  return JSON.stringify({ Event: 'Group.SystemNotification', GroupId: groupId, TopicId: topicId, Content: content });
}

/** A Group.Destroyed frame. */
export function destroyedFrame(groupId: string, operator: string): string {
  return JSON.stringify({ Event: 'Group.Destroyed', GroupId: groupId, Operator_Account: operator });
}

/** A stored frame with its place in the user's stream, ready to send. */
export function withPosition(body: string, offset: number, epoch: string): string {
  return `${body.slice(0, -1)},"Offset":${offset},"Epoch":${JSON.stringify(epoch)}}`;
}
