/**
 * The JSON bodies of the callbacks parley fires, with exactly the keys (and key order) of Tencent's
 * documented samples (test/conformance/fixtures/callbacks/ keeps each sample with its source). A
 * body holds MsgBody as parsed JSON: what is stored is its JSON text.
 */
import { formatMsgId, formatMsgKey } from '../domain/msg-key.js';

/** A one-to-one message as the C2C callbacks describe it. */
export interface C2CMessageFacts {
  readonly from: string;
  readonly to: string;
  readonly seq: number;
  readonly random: number;
  /** UNIX seconds. */
  readonly time: number;
  readonly onlineOnly: boolean;
  /** JSON text of MsgBody. */
  readonly body: string;
  readonly cloudCustomData: string;
}

/**
 * The fields both one-to-one send callbacks carry after CallbackCommand, in their samples' order.
 * MsgId is the id sendmsg answers with: in the sample of cloud.tencent.com/document/product/269/1632
 * and the field table of tencentcloud.com/zh/document/product/1047/34365.
 */
function c2cSendFields(m: C2CMessageFacts): Record<string, unknown> {
  return {
    From_Account: m.from,
    To_Account: m.to,
    MsgSeq: m.seq,
    MsgRandom: m.random,
    MsgTime: m.time,
    MsgKey: formatMsgKey(m),
    MsgId: formatMsgId(m.from, m.time, m.random),
    OnlineOnlyFlag: m.onlineOnly ? 1 : 0,
  };
}

/** C2C.CallbackBeforeSendMsg (tencentcloud.com/document/product/1047/34364). */
export function c2cBeforeSend(m: C2CMessageFacts): Record<string, unknown> {
  return { CallbackCommand: 'C2C.CallbackBeforeSendMsg', ...c2cSendFields(m), MsgBody: JSON.parse(m.body) as unknown, CloudCustomData: m.cloudCustomData };
}

/**
 * C2C.CallbackAfterSendMsg (1047/34365). UnreadMsgNum is 0: the receiver's unread count is not read
 * in the send's transaction yet. Only delivered messages fire it, so SendMsgResult is always 0.
 */
export function c2cAfterSend(m: C2CMessageFacts): Record<string, unknown> {
  return {
    CallbackCommand: 'C2C.CallbackAfterSendMsg',
    ...c2cSendFields(m),
    SendMsgResult: 0,
    ErrorInfo: 'send msg succeed',
    UnreadMsgNum: 0,
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
  };
}

/**
 * C2C.CallbackAfterMsgWithDraw: the international page (1047/43466) shows UnreadMsgNum (0, as
 * above), the newer Chinese one (cloud.tencent.com/document/product/269/61697) EventTime in ms
 * instead; both are sent, so a receiver written against either finds its field.
 */
export function c2cAfterWithdraw(m: { readonly from: string; readonly to: string; readonly msgKey: string; readonly eventTime: number }): Record<string, unknown> {
  return { CallbackCommand: 'C2C.CallbackAfterMsgWithDraw', From_Account: m.from, To_Account: m.to, MsgKey: m.msgKey, UnreadMsgNum: 0, EventTime: m.eventTime };
}

/** C2C.CallbackAfterModifyMsg (cloud.tencent.com/document/product/269/128224): the content after the change. */
export function c2cAfterModify(m: Omit<C2CMessageFacts, 'onlineOnly'> & { readonly operator: string; readonly eventTime: number }): Record<string, unknown> {
  return {
    CloudCustomData: m.cloudCustomData,
    MsgBody: JSON.parse(m.body) as unknown,
    CallbackCommand: 'C2C.CallbackAfterModifyMsg',
    Operator_Account: m.operator,
    From_Account: m.from,
    To_Account: m.to,
    MsgRandom: m.random,
    MsgSeq: m.seq,
    MsgTime: m.time,
    MsgKey: formatMsgKey(m),
    EventTime: m.eventTime,
  };
}

/** A group message as the group callbacks describe it; topicId '' outside topics. */
export interface GroupMessageFacts {
  readonly groupId: string;
  readonly type: string;
  readonly from: string;
  readonly operator: string;
  readonly random: number;
  readonly onlineOnly: boolean;
  readonly body: string;
  readonly cloudCustomData: string;
  readonly topicId: string;
  /** Milliseconds. */
  readonly eventTime: number;
}

/** TopicId is sent only for a message in a topic ("if present, the message is in that topic"). */
function topic(topicId: string): { TopicId?: string } {
  return topicId === '' ? {} : { TopicId: topicId };
}

/** Group.CallbackBeforeSendMsg (cloud.tencent.com/document/api/269/1619). AVChatRoom messages have OnlineOnlyFlag 0. */
export function groupBeforeSend(m: GroupMessageFacts): Record<string, unknown> {
  return {
    CallbackCommand: 'Group.CallbackBeforeSendMsg',
    GroupId: m.groupId,
    Type: m.type,
    From_Account: m.from,
    Operator_Account: m.operator,
    Random: m.random,
    OnlineOnlyFlag: m.onlineOnly ? 1 : 0,
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
    ...topic(m.topicId),
    EventTime: m.eventTime,
  };
}

/** Group.CallbackAfterSendMsg (cloud.tencent.com/document/api/269/2661); GroupAtInfo as the request gave it, when it did. */
export function groupAfterSend(m: GroupMessageFacts & { readonly seq: number; readonly time: number; readonly groupAtInfo: unknown }): Record<string, unknown> {
  return {
    CallbackCommand: 'Group.CallbackAfterSendMsg',
    GroupId: m.groupId,
    Type: m.type,
    From_Account: m.from,
    Operator_Account: m.operator,
    Random: m.random,
    MsgSeq: m.seq,
    MsgTime: m.time,
    OnlineOnlyFlag: m.onlineOnly ? 1 : 0,
    MsgBody: JSON.parse(m.body) as unknown,
    CloudCustomData: m.cloudCustomData,
    ...topic(m.topicId),
    EventTime: m.eventTime,
    ...(m.groupAtInfo === undefined ? {} : { GroupAtInfo: m.groupAtInfo }),
  };
}

/** Group.CallbackAfterRecallMsg (tencentcloud.com/document/product/1047/46979). */
export function groupAfterRecall(m: {
  readonly operator: string;
  readonly type: string;
  readonly groupId: string;
  readonly seqs: readonly number[];
  readonly topicId: string;
  readonly eventTime: number;
}): Record<string, unknown> {
  return {
    CallbackCommand: 'Group.CallbackAfterRecallMsg',
    Operator_Account: m.operator,
    Type: m.type,
    GroupId: m.groupId,
    MsgSeqList: m.seqs.map((MsgSeq) => ({ MsgSeq })),
    ...topic(m.topicId),
    EventTime: m.eventTime,
  };
}

/**
 * Group.CallbackAfterModifyMsg (cloud.tencent.com/document/product/269/129193): the body after the
 * change. Tencent's payload carries TopicId always ('' outside topics) and no CloudCustomData.
 */
export function groupAfterModify(m: {
  readonly body: string;
  readonly operator: string;
  readonly groupId: string;
  readonly topicId: string;
  readonly seq: number;
  readonly eventTime: number;
}): Record<string, unknown> {
  return {
    MsgBody: JSON.parse(m.body) as unknown,
    CallbackCommand: 'Group.CallbackAfterModifyMsg',
    Operator_Account: m.operator,
    GroupId: m.groupId,
    TopicId: m.topicId,
    MsgSeq: m.seq,
    EventTime: m.eventTime,
  };
}
