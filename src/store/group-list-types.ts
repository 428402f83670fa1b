/**
 * The group list part of the storage contract: an app's groups a page at a time
 * (get_appid_group_list) and the groups an account has joined (get_joined_group_list).
 */

/** One page of an app's groups, in creation order. */
export interface AppGroupPage {
  readonly groupIds: readonly string[];
  /** Groups of the app (of the asked types) in all, whatever the page. */
  readonly total: number;
  /** The cursor after this page's last group; 0 when no group follows it. */
  readonly next: number;
}

export interface AppGroupQuery {
  /** Groups after this cursor (0: from the first). */
  readonly after: number;
  readonly limit: number;
  /** Only groups of these stored types; undefined: every type. */
  readonly types?: readonly string[];
}

export interface JoinedGroupQuery {
  /** Only groups of these stored types. */
  readonly types: readonly string[];
  /** Only Communities created with SupportTopic 1. */
  readonly topicsOnly: boolean;
  readonly offset: number;
  /** At most this many; undefined: all. */
  readonly limit?: number;
}

/** One page of an account's groups, in the order it joined them. */
export interface JoinedGroupPage {
  readonly groupIds: readonly string[];
  /** The account's groups (of the asked kinds) in all, whatever the page. */
  readonly total: number;
}

export interface GroupListStore {
  /**
   * A page of the app's groups by a cursor each group gets at creation and never shares, so that
   * paging neither skips nor repeats a group while others are created or destroyed.
   */
  appGroupPage(app: number, query: AppGroupQuery): Promise<AppGroupPage>;
  /** A page of the groups `account` is a member of, by join time then GroupId. */
  joinedGroupPage(app: number, account: string, query: JoinedGroupQuery): Promise<JoinedGroupPage>;
}
