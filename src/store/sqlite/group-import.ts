import type { Database } from 'better-sqlite3';
import type { ImportedMember, ImportedMessage, ImportMemberResult, ImportMessageOutcome } from '../group-import-types.js';
import type { WalScrubber } from './scrub.js';

interface GroupFacts {
  create_time: number;
  max_member_count: number;
  last_seq: number;
  last_time: number;
}

/**
 * Imported members and messages, read positions and deletion by sender on SQLite. Every function
 * here runs inside the write queue, so each call is one transaction.
 */
export function sqliteGroupImport(db: Database, scrubber: WalScrubber) {
  const facts = db.prepare(
    `SELECT g.create_time, g.max_member_count, s.last_seq, s.last_time
     FROM groups g JOIN group_seqs s ON s.app = g.app AND s.group_id = g.group_id AND s.topic_id = ''
     WHERE g.app = ? AND g.group_id = ?`,
  );
  const accountActive = db.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ? AND deleted = 0').pluck();
  const isMember = db.prepare('SELECT 1 FROM group_members WHERE app = ? AND group_id = ? AND account = ?').pluck();
  const memberCount = db.prepare('SELECT count(*) FROM group_members WHERE app = ? AND group_id = ?').pluck();
  const insertMember = db.prepare(
    `INSERT INTO group_members (app, group_id, account, role, join_time, name_card, msg_flag, app_defined_data, read_seq)
     VALUES (@app, @groupId, @account, @role, @joinTime, '', 'AcceptAndNotify', '[]', @readSeq)`,
  );
  const duplicate = db.prepare(
    `SELECT msg_seq, msg_time FROM group_messages
     WHERE app = @app AND group_id = @groupId AND topic_id = '' AND msg_random = @random AND msg_time BETWEEN @time - @window AND @time + @window AND recalled = 0
     ORDER BY msg_seq LIMIT 1`,
  );
  const nextSeq = db
    .prepare("UPDATE group_seqs SET last_seq = last_seq + 1, last_time = @time WHERE app = @app AND group_id = @groupId AND topic_id = '' RETURNING last_seq")
    .pluck();
  const insertMessage = db.prepare(
    `INSERT INTO group_messages (app, group_id, topic_id, msg_seq, msg_random, msg_time, from_account, priority, body, cloud_custom_data, to_accounts)
     VALUES (@app, @groupId, '', @seq, @random, @time, @from, 2, @body, @cloudCustomData, '')`,
  );
  const noteSent = db.prepare('UPDATE group_members SET last_send_time = max(last_send_time, ?) WHERE app = ? AND group_id = ? AND account = ?');
  const allRead = db.prepare('UPDATE group_members SET read_seq = ? WHERE app = ? AND group_id = ?');
  const setReadSeq = db.prepare('UPDATE group_members SET read_seq = ? WHERE app = ? AND group_id = ? AND account = ?');
  const recallBySender = db.prepare(
    `UPDATE group_messages SET recalled = 1, body = '[]', cloud_custom_data = ''
     WHERE app = @app AND group_id = @groupId AND from_account = @sender AND recalled = 0
       AND msg_seq > (SELECT s.last_seq FROM group_seqs s WHERE s.app = group_messages.app AND s.group_id = group_messages.group_id AND s.topic_id = group_messages.topic_id) - @window`,
  );

  const groupFacts = (app: number, groupId: string) => facts.get(app, groupId) as GroupFacts | undefined;

  return {
    importGroupMembers(app: number, groupId: string, members: readonly ImportedMember[], now: number): ReadonlyMap<string, ImportMemberResult> | 'group_not_found' | 'full' {
      const group = groupFacts(app, groupId);
      if (group === undefined) return 'group_not_found';
      const results = new Map<string, ImportMemberResult>();
      for (const m of members) {
        if (results.has(m.account)) continue;
        if (accountActive.get(app, m.account) === undefined) results.set(m.account, 'unknown_account');
        else if (isMember.get(app, groupId, m.account) !== undefined) results.set(m.account, 'already');
        else if (m.joinTime < group.create_time || m.joinTime > now) results.set(m.account, 'bad_time');
        else results.set(m.account, 'added');
      }
      const adding = members.filter((m, i) => results.get(m.account) === 'added' && members.findIndex((x) => x.account === m.account) === i);
      if ((memberCount.get(app, groupId) as number) + adding.length > group.max_member_count) return 'full';
      for (const m of adding) {
        insertMember.run({ app, groupId, account: m.account, role: m.role, joinTime: m.joinTime, readSeq: group.last_seq - Math.min(m.unread ?? 0, group.last_seq) });
      }
      return results;
    },

    importGroupMessages(app: number, groupId: string, messages: readonly ImportedMessage[], now: number, dedupSeconds: number): readonly ImportMessageOutcome[] | 'group_not_found' {
      const group = groupFacts(app, groupId);
      if (group === undefined) return 'group_not_found';
      let newest = group.last_time;
      let lastSeq = group.last_seq;
      const outcomes: ImportMessageOutcome[] = [];
      for (const m of messages) {
        const first = !m.dedup ? undefined : (duplicate.get({ app, groupId, random: m.random, time: m.time, window: dedupSeconds }) as { msg_seq: number; msg_time: number } | undefined);
        if (first !== undefined) {
          outcomes.push({ kind: 'duplicate', seq: first.msg_seq, time: first.msg_time });
        } else if (m.time > now || m.time < group.create_time || m.time < newest) {
          outcomes.push({ kind: 'bad_time', time: m.time });
        } else {
          lastSeq = nextSeq.get({ app, groupId, time: m.time }) as number;
          insertMessage.run({ app, groupId, seq: lastSeq, random: m.random, time: m.time, from: m.from, body: m.body, cloudCustomData: m.cloudCustomData });
          noteSent.run(m.time, app, groupId, m.from);
          newest = m.time;
          outcomes.push({ kind: 'stored', seq: lastSeq, time: m.time });
        }
      }
      // Tencent: after an import every member's unread count is 0.
      if (outcomes.some((o) => o.kind === 'stored')) allRead.run(lastSeq, app, groupId);
      return outcomes;
    },

    setUnreadMsgNum(app: number, groupId: string, account: string, unread: number): 'ok' | 'group_not_found' | 'not_member' {
      const group = groupFacts(app, groupId);
      if (group === undefined) return 'group_not_found';
      if (isMember.get(app, groupId, account) === undefined) return 'not_member';
      setReadSeq.run(group.last_seq - Math.min(unread, group.last_seq), app, groupId, account);
      return 'ok';
    },

    deleteGroupMessagesBySender(app: number, groupId: string, sender: string, window: number): number | 'group_not_found' {
      if (groupFacts(app, groupId) === undefined) return 'group_not_found';
      const deleted = recallBySender.run({ app, groupId, sender, window }).changes;
      if (deleted > 0) scrubber.request();
      return deleted;
    },
  };
}

