import { randomInt } from 'node:crypto';
import type { GroupType } from '../store/group-types.js';

/** GroupIds and TopicIds: printable ASCII without whitespace (decisions.md §6). */
const ID_TEXT = /^[\x21-\x7e]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const AUTO_PREFIX = '@TGS#';
export const COMMUNITY_PREFIX = '@TGS#_';
export const TOPIC_SEPARATOR = '@TOPIC#_';
export const MAX_GROUP_ID_BYTES = 48;

/** The group types create_group accepts. */
export const GROUP_TYPES: readonly GroupType[] = ['Private', 'Work', 'Public', 'ChatRoom', 'Meeting', 'AVChatRoom', 'Community'];

function suffix(): string {
  let s = '';
  for (let i = 0; i < 9; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** A new automatic GroupId: `@TGS#` (Community: `@TGS#_`) and 9 characters of [A-Z0-9]. */
export function autoGroupId(type: GroupType): string {
  return `${type === 'Community' ? COMMUNITY_PREFIX : AUTO_PREFIX}${suffix()}`;
}

/** A new automatic TopicId for a Community. */
export function autoTopicId(groupId: string): string {
  return `${groupId}${TOPIC_SEPARATOR}${suffix()}`;
}

/** Whether a value has the shape of a GroupId (1-48 bytes of printable ASCII, no whitespace). */
export function isGroupIdShape(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_GROUP_ID_BYTES && ID_TEXT.test(value);
}

/**
 * Why a custom GroupId cannot be used for a group of this type; undefined when it can. A
 * Community's must start with `@TGS#_` (as Tencent requires); no other group's may start with `@TGS#`.
 */
export function customGroupIdProblem(value: string, type: GroupType): string | undefined {
  if (!isGroupIdShape(value)) return `GroupId must be 1-${MAX_GROUP_ID_BYTES} bytes of printable ASCII without spaces`;
  if (type === 'Community') {
    if (!value.startsWith(COMMUNITY_PREFIX) || value.length === COMMUNITY_PREFIX.length) return `a Community's custom GroupId must be ${COMMUNITY_PREFIX} followed by your own characters`;
    return undefined;
  }
  if (value.startsWith(AUTO_PREFIX)) return `a custom GroupId may not start with ${AUTO_PREFIX}, which marks generated ones (only a Community's starts with ${COMMUNITY_PREFIX})`;
  return undefined;
}

/** Why a custom TopicId cannot be used in this Community; undefined when it can. */
export function customTopicIdProblem(groupId: string, value: string): string | undefined {
  const prefix = `${groupId}${TOPIC_SEPARATOR}`;
  if (!value.startsWith(prefix) || value.length === prefix.length) return `TopicId must be "${prefix}" followed by your own suffix`;
  const rest = value.slice(prefix.length);
  if (rest.length > MAX_GROUP_ID_BYTES || !ID_TEXT.test(rest)) return `the TopicId suffix must be 1-${MAX_GROUP_ID_BYTES} bytes of printable ASCII without spaces`;
  return undefined;
}

/** Whether a group type takes targeted messages (send_group_msg with To_Account). */
export function takesTargetedMessages(type: GroupType): boolean {
  return type !== 'AVChatRoom' && type !== 'Community';
}

/** Whether a group type keeps no history (audio-video groups). */
export function keepsNoHistory(type: GroupType): boolean {
  return type === 'AVChatRoom';
}

/** Bytes of a string in UTF-8, for the byte limits of group fields. */
export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value);
}
