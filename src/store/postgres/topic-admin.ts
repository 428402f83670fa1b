import type pg from 'pg';
import type { TopicPatch } from '../topic-admin-types.js';

/** modify_topic on PostgreSQL, as sqlite/topic-admin.ts. */
export function postgresTopicAdmin(pool: pg.Pool) {
  return {
    async modifyTopic(app: number, groupId: string, topicId: string, patch: TopicPatch): Promise<'ok' | 'topic_not_found'> {
      const r = await pool.query(
        `UPDATE group_topics SET name = coalesce($4, name), face_url = coalesce($5, face_url), notification = coalesce($6, notification),
           introduction = coalesce($7, introduction), custom_string = coalesce($8, custom_string), mute_all = coalesce($9, mute_all)
         WHERE app = $1 AND group_id = $2 AND topic_id = $3`,
        [app, groupId, topicId, patch.name ?? null, patch.faceUrl ?? null, patch.notification ?? null, patch.introduction ?? null, patch.customString ?? null, patch.muteAll ?? null],
      );
      return r.rowCount === 0 ? 'topic_not_found' : 'ok';
    },
  };
}
