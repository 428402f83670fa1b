import { Type } from '@sinclair/typebox';
import { nowSeconds } from '../../deps.js';
import { isUserId, printable, userIdProblem } from '../../domain/user-id.js';
import type { GroupMember, GroupType } from '../../store/group-types.js';
import { type ApiContext, type Failure, fail } from '../define.js';

/** Custom fields ([{Key, Value}]) as requests give them; at most 100 per call. */
export const KeyValues = Type.Array(Type.Object({ Key: Type.String({ minLength: 1 }), Value: Type.String() }, { additionalProperties: false }), { maxItems: 100 });

/** The longest mute: MuteTime 4294967295 means "for good", and MuteUntil is a u32 on the wire. */
export const FOREVER = 0xffffffff;

/** When a mute of `seconds` from now ends (0: no mute). */
export function muteUntil(ctx: ApiContext, seconds: number): number {
  return seconds === 0 ? 0 : Math.min(nowSeconds(ctx.deps.clock) + seconds, FOREVER);
}

/** Private (Work) groups have no mutes (Tencent's rule for forbid_send_msg and MuteTime). */
export function mutesProblem(groupId: string, type: GroupType): Failure<10007> | undefined {
  return type === 'Private' || type === 'Work' ? fail(10007, `group "${groupId}" is a ${type} group, and ${type} groups do not support muting`) : undefined;
}

/**
 * Checks accounts a request names: 10004 for one that is not a UserID, 10019 for one never
 * imported (or deleted). Undefined when all are usable.
 */
export async function accountsProblem(ctx: ApiContext, field: string, accounts: readonly unknown[]): Promise<Failure<10004 | 10019> | undefined> {
  const bad = accounts.find((a) => !isUserId(a));
  if (bad !== undefined) return fail(10004, userIdProblem(field, bad));
  const states = await ctx.deps.store.accountStates(ctx.app.sdkappid, accounts as string[]);
  const missing = (accounts as string[]).find((a) => states.get(a) !== 'active');
  return missing === undefined ? undefined : fail(10019, `${field} "${printable(missing)}" is not an imported account; import it first`);
}

/** A member's mute as Tencent reports it: when it ends, or 0 when the member is not muted now. */
export function activeMute(ctx: ApiContext, m: GroupMember): number {
  return m.muteUntil > nowSeconds(ctx.deps.clock) ? m.muteUntil : 0;
}

/** Older names of member fields, as filters written for older docs still give them. */
const ALIASES: Readonly<Record<string, string>> = { ShutUpUntil: 'MuteUntil', Account: 'Member_Account' };

type KeyValue = { Key: string; Value: string };

/** Keeps the custom fields a filter names (all of them without one). */
export function keyValues(json: string, keys: readonly string[] | undefined): KeyValue[] {
  const all = JSON.parse(json) as KeyValue[];
  return keys === undefined ? all : all.filter((kv) => keys.includes(kv.Key));
}

/** The fields of a member that get_group_info and get_group_member_info both report, in their order. */
export function memberBase(ctx: ApiContext, m: GroupMember): Record<string, unknown> {
  return {
    Member_Account: m.account,
    Role: m.role,
    JoinTime: m.joinTime,
    // The member's read position: its own sends, and what import_group_member, import_group_msg and
    // set_unread_msg_num set.
    MsgSeq: m.readSeq,
    MsgFlag: m.msgFlag,
    LastSendMsgTime: m.lastSendTime,
    MuteUntil: activeMute(ctx, m),
  };
}

/**
 * A member as get_group_member_info reports it. `fields`: the MemberInfoFilter (every field
 * without one; Member_Account always); `custom`: the AppDefinedDataFilter_GroupMember. Custom fields
 * come with every field when no filter is given, and with a MemberInfoFilter only when asked for.
 */
export function memberFields(ctx: ApiContext, m: GroupMember, fields: readonly string[] | undefined, custom: readonly string[] | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = { ...memberBase(ctx, m), NameCard: m.nameCard };
  let out = all;
  if (fields !== undefined) {
    const wanted = new Set(['Member_Account', ...fields.map((n) => (Object.hasOwn(ALIASES, n) ? ALIASES[n] : undefined) ?? n)]);
    out = Object.fromEntries(Object.entries(all).filter(([k]) => wanted.has(k)));
  }
  if (fields === undefined || custom !== undefined) out['AppMemberDefinedData'] = keyValues(m.appDefinedData, custom);
  return out;
}
