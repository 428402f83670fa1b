import type { Database } from 'better-sqlite3';
import type { TopicPatch } from '../topic-admin-types.js';

/** modify_topic on SQLite; runs inside the write queue. */
export function sqliteTopicAdmin(db: Database) {
  const update = db.prepare(
    `UPDATE group_topics SET name = coalesce(@name, name), face_url = coalesce(@faceUrl, face_url),
       notification = coalesce(@notification, notification), introduction = coalesce(@introduction, introduction),
       custom_string = coalesce(@customString, custom_string), mute_all = coalesce(@muteAll, mute_all)
     WHERE app = @app AND group_id = @groupId AND topic_id = @topicId`,
  );
  return {
    modifyTopic(app: number, groupId: string, topicId: string, patch: TopicPatch): 'ok' | 'topic_not_found' {
      const changed = update.run({
        app,
        groupId,
        topicId,
        name: patch.name ?? null,
        faceUrl: patch.faceUrl ?? null,
        notification: patch.notification ?? null,
        introduction: patch.introduction ?? null,
        customString: patch.customString ?? null,
        muteAll: patch.muteAll === undefined ? null : patch.muteAll ? 1 : 0,
      }).changes;
      return changed === 0 ? 'topic_not_found' : 'ok';
    },
  };
}
