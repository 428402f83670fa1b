/**
 * The group administration part of the storage contract: a group's profile and its members'
 * profiles changed after creation (modify_group_base_info, modify_group_member_info,
 * change_group_owner, forbid_send_msg) and member pages (get_group_member_info).
 */

import type { GroupMember } from './group-types.js';

/** A custom field change: Value '' removes the Key (Tencent's rule for AppDefinedData). */
export interface KeyValue {
  readonly Key: string;
  readonly Value: string;
}

/** Fields modify_group_base_info replaces; a field left undefined keeps its stored value. */
export interface GroupPatch {
  readonly name?: string;
  readonly introduction?: string;
  readonly notification?: string;
  readonly faceUrl?: string;
  readonly maxMemberCount?: number;
  readonly applyJoinOption?: string;
  readonly inviteJoinOption?: string;
  readonly muteAll?: boolean;
  /** Merged into the stored AppDefinedData by Key. */
  readonly appDefinedData?: readonly KeyValue[];
  /** Each change moves InfoSeq on by one and LastInfoTime to this (UNIX seconds). */
  readonly time: number;
}

export type GroupPatchOutcome = 'ok' | 'group_not_found' | { readonly kind: 'below_members'; readonly members: number };

/** Fields modify_group_member_info replaces. */
export interface MemberPatch {
  readonly role?: 'Admin' | 'Member';
  readonly msgFlag?: string;
  readonly nameCard?: string;
  /** Merged into the member's AppMemberDefinedData by Key. */
  readonly appDefinedData?: readonly KeyValue[];
  /** UNIX seconds the member is muted until; 0 lifts a mute. */
  readonly muteUntil?: number;
}

/** `owner`: the patch changes the owner's role or mutes the owner, which is not allowed. */
export type MemberPatchOutcome = 'ok' | 'group_not_found' | 'not_member' | 'owner';

/** Mutes (or, with until 0, unmutes) members; nothing changes when one of them is not a member. */
export type MuteOutcome = 'ok' | 'group_not_found' | { readonly kind: 'not_member'; readonly account: string } | 'owner';

/** One page of a group's members, in join order (join time, then UserID). */
export interface MemberPageQuery {
  /** Members to skip (Offset paging); ignored with `after`. */
  readonly offset: number;
  /** Continue after this member (Next paging). */
  readonly after?: { readonly joinTime: number; readonly account: string };
  /** At most this many; undefined: all. */
  readonly limit?: number;
  /** Only members with these roles; undefined: every role. */
  readonly roles?: readonly string[];
}

export interface MemberPage {
  readonly members: readonly GroupMember[];
  /** Members of the group, whatever the filter. */
  readonly total: number;
  /** Whether members matching the filter remain after this page. */
  readonly more: boolean;
}

export interface GroupAdminStore {
  modifyGroup(app: number, groupId: string, patch: GroupPatch): Promise<GroupPatchOutcome>;
  modifyGroupMember(app: number, groupId: string, account: string, patch: MemberPatch): Promise<MemberPatchOutcome>;
  /** Makes a member the owner; the old owner (if any) becomes a Member. */
  changeGroupOwner(app: number, groupId: string, account: string, time: number): Promise<'ok' | 'group_not_found' | 'not_member'>;
  muteGroupMembers(app: number, groupId: string, accounts: readonly string[], until: number): Promise<MuteOutcome>;
  /** Members muted past `now`, in join order. */
  mutedGroupMembers(app: number, groupId: string, now: number): Promise<readonly GroupMember[]>;
  groupMemberPage(app: number, groupId: string, query: MemberPageQuery): Promise<MemberPage>;
  /** The role of each account that is a member; non-members are absent. */
  memberRoles(app: number, groupId: string, accounts: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** Merges custom field changes into stored JSON ([{Key, Value}]): a Value of '' removes its Key. */
export function mergeKeyValues(storedJson: string, changes: readonly KeyValue[]): string {
  const merged = new Map((JSON.parse(storedJson) as KeyValue[]).map((kv) => [kv.Key, kv.Value]));
  for (const { Key, Value } of changes) {
    if (Value === '') merged.delete(Key);
    else merged.set(Key, Value);
  }
  return JSON.stringify([...merged].map(([Key, Value]) => ({ Key, Value })));
}
