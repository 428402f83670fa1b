import type { Group, GroupMember, GroupMessage, GroupType, Topic } from './group-types.js';
import type { C2CMessage, ClaimedCallback } from './types.js';

/**
 * Rows as both stores read them (the same tables and column names), and their mapping to the
 * contract's types. A flag arrives as 0/1 from SQLite and as true/false from PostgreSQL.
 */
type Flag = number | boolean;

export const C2C_COLUMNS = 'from_account, to_account, msg_seq, msg_random, msg_time, body, cloud_custom_data, recalled';

export interface C2CRow {
  from_account: string;
  to_account: string;
  msg_seq: number;
  msg_random: number;
  msg_time: number;
  body: string;
  cloud_custom_data: string;
  recalled: Flag;
}

export function toC2CMessage(r: C2CRow): C2CMessage {
  return {
    from: r.from_account,
    to: r.to_account,
    seq: r.msg_seq,
    random: r.msg_random,
    time: r.msg_time,
    body: r.body,
    cloudCustomData: r.cloud_custom_data,
    recalled: Boolean(r.recalled),
  };
}

/**
 * One page of roaming history out of up to `maxCount + 1` rows, newest first. Messages that share
 * one MsgKey are never split across pages, since the cursor could not tell them apart: when the
 * page would end inside such a run, the run is left for the next page, and when the run fills the
 * whole page, `wholeKey` names it and the caller reads all of its rows as the page.
 */
export function cutC2CPage<R extends C2CRow>(rows: readonly R[], maxCount: number): { kept: R[]; complete: boolean; wholeKey: R | undefined } {
  const complete = rows.length <= maxCount;
  let kept = rows.slice(0, maxCount);
  const next = rows[maxCount];
  const last = kept[kept.length - 1];
  if (next === undefined || last === undefined || !sameKey(next, last)) return { kept, complete, wholeKey: undefined };
  kept = kept.filter((r) => !sameKey(r, last));
  return { kept, complete, wholeKey: kept.length === 0 ? last : undefined };
}

function sameKey(a: C2CRow, b: C2CRow): boolean {
  return a.msg_time === b.msg_time && a.msg_seq === b.msg_seq && a.msg_random === b.msg_random;
}

export interface GroupRow {
  group_id: string;
  type: string;
  name: string;
  owner: string;
  introduction: string;
  notification: string;
  face_url: string;
  max_member_count: number;
  apply_join_option: string;
  invite_join_option: string;
  support_topic: Flag;
  app_defined_data: string;
  create_time: number;
  last_seq: number;
  last_time: number;
  info_seq: number;
  last_info_time: number;
  mute_all: Flag;
  enable_permission: number;
  default_permission: number;
  app_member_defined_data: string;
}

export function toGroup(r: GroupRow): Group {
  return {
    groupId: r.group_id,
    type: r.type as GroupType,
    name: r.name,
    owner: r.owner,
    introduction: r.introduction,
    notification: r.notification,
    faceUrl: r.face_url,
    maxMemberCount: r.max_member_count,
    applyJoinOption: r.apply_join_option,
    inviteJoinOption: r.invite_join_option,
    supportTopic: Boolean(r.support_topic),
    appDefinedData: r.app_defined_data,
    createTime: r.create_time,
    nextMsgSeq: r.last_seq + 1,
    lastMsgTime: r.last_time,
    infoSeq: r.info_seq,
    lastInfoTime: r.last_info_time === 0 ? r.create_time : r.last_info_time,
    muteAll: Boolean(r.mute_all),
    enablePermission: r.enable_permission,
    defaultPermission: r.default_permission,
    appMemberDefinedData: r.app_member_defined_data,
  };
}

/** Group columns (`g` the group, `s` its counter row) as toGroup reads them. */
export const GROUP_COLUMNS = `g.group_id, g.type, g.name, g.owner, g.introduction, g.notification, g.face_url, g.max_member_count, g.apply_join_option,
  g.invite_join_option, g.support_topic, g.app_defined_data, g.create_time, g.info_seq, g.last_info_time, g.mute_all, g.enable_permission,
  g.default_permission, g.app_member_defined_data, s.last_seq, s.last_time`;

export const MEMBER_COLUMNS = 'account, role, join_time, name_card, msg_flag, last_send_time, app_defined_data, mute_until, read_seq';

export interface MemberRow {
  account: string;
  role: string;
  join_time: number;
  name_card: string;
  msg_flag: string;
  last_send_time: number;
  app_defined_data: string;
  mute_until: number;
  read_seq: number;
}

export function toMember(r: MemberRow): GroupMember {
  return {
    account: r.account,
    role: r.role,
    joinTime: r.join_time,
    nameCard: r.name_card,
    msgFlag: r.msg_flag,
    lastSendTime: r.last_send_time,
    appDefinedData: r.app_defined_data,
    muteUntil: r.mute_until,
    readSeq: r.read_seq,
  };
}

/** Columns of a topic joined with its counter row (`t` the topic, `s` the counter). */
export const TOPIC_COLUMNS = `t.group_id, t.topic_id, t.name, t.from_account, t.custom_string, t.face_url, t.notification, t.introduction, t.create_time,
  t.mute_all, s.last_seq, s.last_time`;

export interface TopicRow {
  group_id: string;
  topic_id: string;
  name: string;
  from_account: string;
  custom_string: string;
  face_url: string;
  notification: string;
  introduction: string;
  create_time: number;
  mute_all: Flag;
  last_seq: number;
  last_time: number;
}

export function toTopic(r: TopicRow): Topic {
  return {
    groupId: r.group_id,
    topicId: r.topic_id,
    name: r.name,
    fromAccount: r.from_account,
    customString: r.custom_string,
    faceUrl: r.face_url,
    notification: r.notification,
    introduction: r.introduction,
    createTime: r.create_time,
    nextMsgSeq: r.last_seq + 1,
    lastMsgTime: r.last_time,
    muteAll: Boolean(r.mute_all),
  };
}

export const GROUP_MESSAGE_COLUMNS = 'group_id, topic_id, msg_seq, msg_random, msg_time, from_account, priority, body, cloud_custom_data, recalled, to_accounts';

export interface GroupMessageRow {
  group_id: string;
  topic_id: string;
  msg_seq: number;
  msg_random: number;
  msg_time: number;
  from_account: string;
  priority: number;
  body: string;
  cloud_custom_data: string;
  recalled: Flag;
  to_accounts: string;
}

export function toGroupMessage(r: GroupMessageRow): GroupMessage {
  return {
    groupId: r.group_id,
    topicId: r.topic_id,
    seq: r.msg_seq,
    random: r.msg_random,
    time: r.msg_time,
    from: r.from_account,
    priority: r.priority,
    body: r.body,
    cloudCustomData: r.cloud_custom_data,
    recalled: Boolean(r.recalled),
    toAccounts: r.to_accounts === '' ? [] : (JSON.parse(r.to_accounts) as string[]),
  };
}

export const OUTBOX_COLUMNS = 'id, app, delivery_id, command, client_ip, body, created_at, attempts, last_error, failed_at, subject';

/** A row of callback_outbox. */
export interface OutboxRow {
  id: number;
  app: number;
  delivery_id: string;
  command: string;
  client_ip: string;
  body: string;
  created_at: number;
  attempts: number;
  last_error: string;
  failed_at: number | null;
  subject: string;
}

export function toClaimed(r: OutboxRow): ClaimedCallback {
  return { id: r.id, app: r.app, deliveryId: r.delivery_id, command: r.command, clientIp: r.client_ip, body: r.body, createdAt: r.created_at, attempts: r.attempts };
}

/**
 * The message whose content an outbox row reports (its `subject`). The outbox never keeps that
 * content (decisions §5: no copy of a message's content outlives a modification): a row keeps its
 * body with `MsgBody` [] (and `CloudCustomData` "" where the payload has it), and a delivery that
 * reads the row from the store puts in the message's content as it is then (withContent). Fields
 * are joined by U+001F, which no id contains.
 */
const SEP = '\u001f';
export const c2cSubject = (from: string, to: string, seq: number, random: number, time: number): string => `c2c${SEP}${from}${SEP}${to}${SEP}${seq}_${random}_${time}`;
export const groupSubject = (groupId: string, topicId: string, seq: number): string => `grp${SEP}${groupId}${SEP}${topicId}${SEP}${seq}`;

/** The message a subject names, or undefined for a malformed one. */
export type Subject =
  | { readonly kind: 'c2c'; readonly from: string; readonly to: string; readonly seq: number; readonly random: number; readonly time: number }
  | { readonly kind: 'group'; readonly groupId: string; readonly topicId: string; readonly seq: number };

export function parseSubject(subject: string): Subject | undefined {
  const parts = subject.split(SEP);
  if (parts[0] === 'c2c' && parts.length === 4) {
    const [seq, random, time] = (parts[3] ?? '').split('_').map(Number);
    if (seq === undefined || random === undefined || time === undefined) return undefined;
    return { kind: 'c2c', from: parts[1] ?? '', to: parts[2] ?? '', seq, random, time };
  }
  if (parts[0] === 'grp' && parts.length === 4) return { kind: 'group', groupId: parts[1] ?? '', topicId: parts[2] ?? '', seq: Number(parts[3]) };
  return undefined;
}

/** A message's content as a callback reports it: none when it was recalled or is gone. */
export interface Content {
  /** JSON text of MsgBody. */
  readonly body: string;
  readonly cloudCustomData: string;
}
export const NO_CONTENT: Content = { body: '[]', cloudCustomData: '' };

/** The body as the outbox keeps it: the payload without the message's content. */
export function withoutContent(payload: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ ...payload, MsgBody: [], ...('CloudCustomData' in payload ? { CloudCustomData: '' } : {}) });
}

/** A kept body with the message's content put back: only the keys the payload has. */
export function withContent(body: string, content: Content): string {
  const payload = JSON.parse(body) as Record<string, unknown>;
  if ('MsgBody' in payload) payload['MsgBody'] = JSON.parse(content.body) as unknown;
  if ('CloudCustomData' in payload) payload['CloudCustomData'] = content.cloudCustomData;
  return JSON.stringify(payload);
}
