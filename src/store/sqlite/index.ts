import { ensurePrivateDir } from '../../data-dir.js';
import type { Outbox, Store } from '../types.js';
import { accountReads, accountWrites } from './accounts.js';
import { sqliteArchive } from './archive.js';
import { c2cReads, c2cWrites } from './c2c.js';
import { c2cStateReads, c2cStateWrites, readState } from './c2c-state.js';
import { openConnection } from './connection.js';
import { sqliteGroupImport } from './group-import.js';
import { sqliteGroupAdmin } from './group-admin.js';
import { sqliteGroups } from './groups.js';
import { sqliteOutbox } from './outbox.js';
import { sqliteProfiles } from './profiles.js';
import { sqliteGroupLists } from './group-lists.js';
import { sqliteTopicAdmin } from './topic-admin.js';
import { migrate } from './schema.js';
import { WalScrubber } from './scrub.js';
import { type CheckpointTiming, Checkpointer } from './checkpointer.js';
import { WriteQueue } from './write-queue.js';

export { DATABASE_FILE } from './connection.js';

/** How the embedded store is used. */
export interface SqliteStoreOptions {
  /**
   * Other processes use the same file at the same time (PARLEY_WORKERS > 1): caches then check,
   * before each look-up, whether another process's write made them wrong (generations.ts).
   */
  readonly shared?: boolean;
  /** When the checkpointer's thread checkpoints (tests shorten it). */
  readonly checkpoint?: Partial<CheckpointTiming>;
}

/**
 * Opens (creating if needed) the embedded store in `dataDir`. Reads run directly; writes go
 * through the write queue, which batches concurrent writes into one durable commit and answers
 * each only after that commit.
 *
 * A writer thread was measured (2026-11-22) and lost: on two cores the second thread competed with
 * the HTTP work for CPU, and throughput fell while memory grew; see docs/benchmarks.md.
 */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  const shared = options.shared === true;
  ensurePrivateDir(dataDir);
  const db = openConnection(dataDir);
  db.pragma('foreign_keys = ON');
  migrate(db);
  const scrubber = new WalScrubber(db);
  // A crash may have left destroyed content in the WAL: fold it away before serving (or, while
  // other processes on the file keep the WAL in use, as soon as they let go).
  scrubber.scrubOrRetry();
  // If its thread stops, the scrub it was asked for falls to this thread's own timer.
  const checkpointer = new Checkpointer(db, (scrubWanted) => {
    if (scrubWanted) scrubber.request();
  }, options.checkpoint);
  scrubber.delegateTo(checkpointer);
  const outbox = sqliteOutbox(db, scrubber);
  const queue = new WriteQueue(db, outbox.hooks, checkpointer);
  const write = queue.run.bind(queue);
  const accounts = accountReads(db, shared);
  const accountOps = accountWrites(db);
  const reads = readState(db);
  const c2c = c2cWrites(db, scrubber, reads);
  const c2cState = c2cStateWrites(db, scrubber, reads);
  const c2cStateRead = c2cStateReads(db);
  const groups = sqliteGroups(db, scrubber, shared);
  const imports = sqliteGroupImport(db, scrubber);
  const admin = sqliteGroupAdmin(db);
  const profiles = sqliteProfiles(db);
  const topicAdmin = sqliteTopicAdmin(db);
  /** Adds the rows a write's outbox hook asks for, inside that write's transaction. */
  const withOutbox = <O>(outcome: O, hook: Outbox<O> | undefined): O => {
    if (hook !== undefined) outbox.add(hook(outcome));
    return outcome;
  };
  let closed = false;

  return {
    ...accounts,
    accountKnown: (app, id) => accounts.accountState(app, id).then((state) => state !== 'none'),
    ...c2cReads(db, c2cStateRead.readTime),
    unreadC2C: c2cStateRead.unreadC2C,
    ...groups.reads,
    ...admin.reads,
    ...sqliteGroupLists(db),
    getProfiles: (app, ids, tags) => Promise.resolve(profiles.getProfiles(app, ids, tags)),
    setProfile: (app, id, items) => write(() => profiles.setProfile(app, id, items)),
    modifyTopic: (app, groupId, topicId, patch) => write(() => topicAdmin.modifyTopic(app, groupId, topicId, patch)),
    modifyGroup: (app, groupId, patch) => write(() => admin.writes.modifyGroup(app, groupId, patch)),
    modifyGroupMember: (app, groupId, account, patch) => write(() => admin.writes.modifyGroupMember(app, groupId, account, patch)),
    changeGroupOwner: (app, groupId, account, time) => write(() => admin.writes.changeGroupOwner(app, groupId, account, time)),
    muteGroupMembers: (app, groupId, accounts, until) => write(() => admin.writes.muteGroupMembers(app, groupId, accounts, until)),
    ...sqliteArchive(db),
    importAccounts: (app, list) => write(() => accountOps.importAccounts(app, list)).then(() => accounts.changed(app, list.map((a) => a.userId))),
    deleteAccounts: (app, ids) =>
      write(() => accountOps.deleteAccounts(app, ids)).then((deleted) => {
        accounts.changed(app, ids);
        return deleted;
      }),
    sendC2C: (app, message, hook) => write(() => withOutbox(c2c.sendC2C(app, message), hook)),
    modifyC2C: (app, ref, patch, hook) => write(() => withOutbox(c2c.modifyC2C(app, ref, patch), hook)),
    recallC2C: (app, ref, hook) => write(() => withOutbox(c2c.recallC2C(app, ref), hook)),
    importC2C: (app, message) => write(() => c2cState.importC2C(app, message)),
    deleteC2CForOwner: (app, owner, peer, keys) => write(() => c2cState.deleteC2CForOwner(app, owner, peer, keys)),
    setC2CRead: (app, user, peer, readTime) => write(() => reads.markRead(app, user, peer, readTime)),
    createGroup: (app, group) => write(() => groups.writes.createGroup(app, group)),
    addGroupMembers: (app, groupId, list, joinTime) => write(() => groups.writes.addGroupMembers(app, groupId, list, joinTime)),
    deleteGroupMembers: (app, groupId, list) => write(() => groups.writes.deleteGroupMembers(app, groupId, list)),
    destroyGroup: (app, groupId) =>
      write(() => groups.writes.destroyGroup(app, groupId)).then((destroyed) => {
        groups.reads.groupChanged(app, groupId);
        return destroyed;
      }),
    createTopic: (app, topic) => write(() => groups.writes.createTopic(app, topic)),
    destroyTopic: (app, groupId, topicId) => write(() => groups.writes.destroyTopic(app, groupId, topicId)),
    sendGroupMessage: (app, message, hook) => write(() => withOutbox(groups.writes.sendGroupMessage(app, message), hook)),
    recallGroupMessage: (app, groupId, topicId, seq, hook) => write(() => withOutbox(groups.writes.recallGroupMessage(app, groupId, topicId, seq), hook)),
    modifyGroupMessage: (app, groupId, topicId, seq, patch, hook) => write(() => withOutbox(groups.writes.modifyGroupMessage(app, groupId, topicId, seq, patch), hook)),
    importGroupMembers: (app, groupId, members, now) => write(() => imports.importGroupMembers(app, groupId, members, now)),
    importGroupMessages: (app, groupId, messages, now, dedupSeconds) => write(() => imports.importGroupMessages(app, groupId, messages, now, dedupSeconds)),
    setUnreadMsgNum: (app, groupId, account, unread) => write(() => imports.setUnreadMsgNum(app, groupId, account, unread)),
    deleteGroupMessagesBySender: (app, groupId, sender, window) => write(() => imports.deleteGroupMessagesBySender(app, groupId, sender, window)),
    enqueueCallbacks: (rows) => write(() => outbox.add(rows)),
    claimCallbacks: (now, limit, leaseMs) => (outbox.due(now) ? write(() => outbox.claim(now, limit, leaseMs)) : Promise.resolve([])),
    // A settlement lost in a crash means one more delivery of an at-least-once callback: it rides
    // with the next commit instead of paying an fsync of its own.
    settleCallbacks: (settled) => queue.runWhenConvenient(() => outbox.settle(settled)),
    onCallbacksCommitted: (listener) => outbox.listen(listener),
    callbackBodies: (ids) => Promise.resolve(outbox.bodies(ids)),
    failedCallbacks: (app, limit, afterId) => Promise.resolve(outbox.failed(app, limit, afterId)),
    purgeFailedCallbacks: (before) => write(() => outbox.purge(before)),
    healthy: () => Promise.resolve(!closed && db.open),
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      await checkpointer.stop();
      // Fold the WAL back into the database and empty it, so old page images do not linger. When
      // other processes still use it, the last connection to close folds it in as SQLite closes.
      scrubber.scrubNow();
      scrubber.close();
      db.close();
    },
  };
}
