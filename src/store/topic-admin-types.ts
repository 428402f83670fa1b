/** The topic administration part of the storage contract: modify_topic. */

/** Fields modify_topic replaces; a field left undefined keeps its stored value. */
export interface TopicPatch {
  readonly name?: string;
  readonly faceUrl?: string;
  readonly notification?: string;
  readonly introduction?: string;
  readonly customString?: string;
  readonly muteAll?: boolean;
}

export interface TopicAdminStore {
  /** Changes a topic's profile in one statement. */
  modifyTopic(app: number, groupId: string, topicId: string, patch: TopicPatch): Promise<'ok' | 'topic_not_found'>;
}
