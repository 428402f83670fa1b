/**
 * User profiles (portrait_set, portrait_get): one value per tag and account. Tag_Profile_IM_Nick
 * and Tag_Profile_IM_Image are the Nick and FaceUrl that account_import sets, kept with the account.
 */

/** The tags kept with the account row rather than among the other tags. */
export const NICK_TAG = 'Tag_Profile_IM_Nick';
export const IMAGE_TAG = 'Tag_Profile_IM_Image';

/** One tag's value as JSON text (a string or an integer, as the tag's type says). */
export interface ProfileItem {
  readonly tag: string;
  readonly value: string;
}

export interface ProfileStore {
  /** Sets tags of an active account, all or none; false when the account is not active. */
  setProfile(app: number, userId: string, items: readonly ProfileItem[]): Promise<boolean>;
  /** The stored tags among `tags` of each active account among `userIds`; inactive ones are absent. */
  getProfiles(app: number, userIds: readonly string[], tags: readonly string[]): Promise<ReadonlyMap<string, ReadonlyMap<string, string>>>;
}
