import { Type } from '@sinclair/typebox';
import { GROUP_TYPES } from '../../domain/group-id.js';

/**
 * The GroupType values the list APIs take: parley's types with their aliases, and BChatRoom
 * (Tencent's broadcast chat room, named by the pages' samples; parley has none, so it matches nothing).
 */
export const ListGroupType = Type.Union([...GROUP_TYPES, 'BChatRoom'].map((t) => Type.Literal(t)));

const ALIASES: Readonly<Record<string, string>> = { Private: 'Work', Work: 'Private', ChatRoom: 'Meeting', Meeting: 'ChatRoom' };

/** The stored types a GroupType filter matches: the type and its alias (Private and Work, ChatRoom and Meeting). */
export function storedTypes(type: string): string[] {
  const alias = ALIASES[type];
  return alias === undefined ? [type] : [type, alias];
}
