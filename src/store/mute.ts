import type { GroupSendOutcome } from './group-types.js';

/**
 * Whether a member may not send now, and until when: muted members until their mute ends, and,
 * while the group (ShutUpAllMember) or the topic sent to (modify_topic's MuteAllMember) is muted
 * as a whole, every member but the owner and admins. App admins are not members and are never
 * muted. Both stores decide with this one rule.
 */
export function senderMuted(role: string, muteUntil: number, muteAll: boolean, topicMuteAll: boolean, now: number): GroupSendOutcome | undefined {
  if (muteUntil > now) return { kind: 'muted', until: muteUntil };
  if (role === 'Owner' || role === 'Admin') return undefined;
  if (muteAll) return { kind: 'muted', until: 0 };
  if (topicMuteAll) return { kind: 'muted', until: 0, topic: true };
  return undefined;
}
