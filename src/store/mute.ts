import type { GroupSendOutcome } from './group-types.js';

/**
 * Whether a member may not send now, and until when: muted members until their mute ends, and,
 * while the group is muted as a whole (ShutUpAllMember), every member but the owner and admins.
 * App admins are not members and are never muted. Both stores decide with this one rule.
 */
export function senderMuted(role: string, muteUntil: number, muteAll: boolean, now: number): GroupSendOutcome | undefined {
  if (muteUntil > now) return { kind: 'muted', until: muteUntil };
  if (muteAll && role !== 'Owner' && role !== 'Admin') return { kind: 'muted', until: 0 };
  return undefined;
}
